namespace HlsGateway.Recorder.Leases;

/// <summary>
/// The default store without Redis: leases in this process only (with expiry, so it behaves like the
/// shared store), which makes the single gateway instance the holder of every recording.
/// </summary>
internal sealed class InMemoryLeaseStore(TimeProvider time) : IRecordingLeaseStore
{
    private readonly Dictionary<string, (string Owner, DateTimeOffset Expires)> _leases = new(StringComparer.Ordinal);
    private readonly Dictionary<string, LeaseProgress> _progress = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();

    public ValueTask<LeaseAttempt> TryAcquireAsync(string name, string owner, TimeSpan period, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            var now = time.GetUtcNow();
            if (_leases.TryGetValue(name, out var held) && held.Expires > now && held.Owner != owner)
            {
                return ValueTask.FromResult(new LeaseAttempt(LeaseOutcome.HeldByOther, held.Owner));
            }
            _leases[name] = (owner, now + period);
            return ValueTask.FromResult(new LeaseAttempt(LeaseOutcome.Held, owner, _progress.TryGetValue(name, out var p) ? p : null));
        }
    }

    public ValueTask<LeaseAttempt> RenewAsync(string name, string owner, TimeSpan period, LeaseProgress? progress, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            var now = time.GetUtcNow();
            if (_leases.TryGetValue(name, out var held) && held.Expires > now && held.Owner != owner)
            {
                return ValueTask.FromResult(new LeaseAttempt(LeaseOutcome.HeldByOther, held.Owner));
            }
            _leases[name] = (owner, now + period);
            if (progress is { } p)
            {
                _progress[name] = p;
            }
            return ValueTask.FromResult(new LeaseAttempt(LeaseOutcome.Held, owner));
        }
    }

    public ValueTask ReleaseAsync(string name, string owner, LeaseProgress? progress, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            if (_leases.TryGetValue(name, out var held) && held.Owner == owner)
            {
                _leases.Remove(name);
                if (progress is { } p)
                {
                    _progress[name] = p;
                }
            }
        }
        return ValueTask.CompletedTask;
    }
}
