using System.Net;

namespace HlsGateway.Access;

/// <summary>
/// The effective allowlist: <c>Gateway:Access:Allow</c> plus the live entries of <see cref="IAllowlistStore"/>,
/// as one <see cref="CidrSet"/> swapped atomically whenever either changes or a TTL entry expires. Empty
/// (both sources empty) means everyone is allowed.
/// </summary>
internal sealed partial class Allowlist : IDisposable
{
    private readonly AccessConfigMonitor _config;
    private readonly IAllowlistStore _store;
    private readonly TimeProvider _time;
    private readonly ILogger<Allowlist> _logger;
    private readonly Lock _sync = new();
    private ITimer? _expiryTimer;
    private volatile CidrSet _current = CidrSet.Empty;

    public Allowlist(AccessConfigMonitor config, IAllowlistStore store, TimeProvider time, ILogger<Allowlist> logger)
    {
        _config = config;
        _store = store;
        _time = time;
        _logger = logger;
        config.Changed += OnConfigChanged;
        store.Changed += Rebuild;
        Rebuild();
    }

    public CidrSet Current => _current;

    public bool IsAllowed(IPAddress? address)
    {
        var set = _current;
        return set.IsEmpty || set.Contains(address);
    }

    private void OnConfigChanged(AccessSnapshot _) => Rebuild();

    /// <summary>Recomputes the set; also schedules itself for the next TTL expiry.</summary>
    public void Rebuild()
    {
        try
        {
            lock (_sync)
            {
                var now = _time.GetUtcNow();
                var snapshot = _config.Current;
                var cidrs = new List<Cidr>(snapshot.StaticCidrs);
                DateTimeOffset? nextExpiry = null;
                foreach (var entry in _store.Entries)
                {
                    if (!entry.IsActive(now) || !Cidr.TryParse(entry.Cidr, out var cidr, out _))
                    {
                        continue;
                    }
                    cidrs.Add(cidr);
                    if (entry.ExpiresAt is { } at && (nextExpiry is null || at < nextExpiry))
                    {
                        nextExpiry = at;
                    }
                }
                _current = CidrSet.Create(cidrs);
                _expiryTimer?.Dispose();
                _expiryTimer = nextExpiry is { } next
                    ? _time.CreateTimer(static s => ((Allowlist)s!).Rebuild(), this, next - now + TimeSpan.FromMilliseconds(5), Timeout.InfiniteTimeSpan)
                    : null;
                Log.Rebuilt(_logger, snapshot.StaticCidrs.Count, cidrs.Count - snapshot.StaticCidrs.Count, _current.RangeCount);
            }
        }
        catch (Exception ex)
        {
            Log.RebuildFailed(_logger, ex); // keep the last good set
        }
    }

    public void Dispose()
    {
        _config.Changed -= OnConfigChanged;
        _store.Changed -= Rebuild;
        lock (_sync)
        {
            _expiryTimer?.Dispose();
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 3030, EventName = "AllowlistRebuilt", Level = LogLevel.Debug, Message = "Allowlist: {Static} static and {Live} live CIDR(s), {Ranges} merged range(s).")]
        public static partial void Rebuilt(ILogger logger, int @static, int live, int ranges);

        [LoggerMessage(EventId = 3031, EventName = "AllowlistRebuildFailed", Level = LogLevel.Error, Message = "Allowlist rebuild failed; keeping the last good set.")]
        public static partial void RebuildFailed(ILogger logger, Exception exception);
    }
}
