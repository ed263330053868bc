using System.Collections.Concurrent;

namespace HlsGateway.Access;

/// <summary>The single-instance store: entries live as long as the process.</summary>
internal sealed class MemoryAllowlistStore(TimeProvider time) : IAllowlistStore
{
    private readonly ConcurrentDictionary<string, AllowlistEntry> _entries = new(StringComparer.Ordinal);
    private volatile AllowlistEntry[] _snapshot = [];

    public IReadOnlyCollection<AllowlistEntry> Entries => _snapshot;

    public event Action? Changed;

    public Task InitializeAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public ValueTask AddAsync(AllowlistEntry entry, CancellationToken cancellationToken)
    {
        _entries[entry.Cidr] = entry;
        Publish();
        return ValueTask.CompletedTask;
    }

    public ValueTask<bool> RemoveAsync(string cidr, CancellationToken cancellationToken)
    {
        var removed = _entries.TryRemove(cidr, out _);
        Publish();
        return ValueTask.FromResult(removed);
    }

    private void Publish()
    {
        var now = time.GetUtcNow();
        foreach (var (cidr, entry) in _entries)
        {
            if (!entry.IsActive(now))
            {
                _entries.TryRemove(cidr, out _);
            }
        }
        _snapshot = _entries.Values.OrderBy(e => e.Cidr, StringComparer.Ordinal).ToArray();
        Changed?.Invoke();
    }
}
