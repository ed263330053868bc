using System.Net;
using System.Threading.RateLimiting;

namespace HlsGateway.Access;

/// <summary>
/// Token buckets per client IP, one partitioned limiter for playlists and one for segments
/// (<c>Gateway:RateLimits:Playlist</c> / <c>:Segment</c>). Read at start-up; off unless PermitsPerSecond &gt; 0.
/// With a <see cref="RedisRateLimitStore"/> (<c>Gateway:RateLimits:Shared</c>) the buckets live in Redis and these
/// local ones only decide while Redis is unavailable.
/// </summary>
internal sealed class ClientRateLimiter : IDisposable
{
    private readonly PartitionedRateLimiter<UInt128>? _playlist;
    private readonly PartitionedRateLimiter<UInt128>? _segment;
    private readonly RateLimitsOptions _limits;
    private readonly RedisRateLimitStore? _shared;

    public ClientRateLimiter(AccessConfigMonitor config, RedisRateLimitStore? shared = null)
    {
        _limits = config.Current.Options.RateLimits;
        _playlist = Create(_limits.Playlist);
        _segment = Create(_limits.Segment);
        _shared = _limits.Shared ? shared : null;
    }

    public bool Enabled => _playlist is not null || _segment is not null;

    /// <summary>True when limits are counted in Redis (then use <see cref="AcquireSharedAsync"/>).</summary>
    public bool IsShared => _shared is not null;

    /// <summary>The shared decision; the local bucket's when Redis is unavailable.</summary>
    public async ValueTask<RateLimitDecision> AcquireSharedAsync(IPAddress? client, bool playlist, CancellationToken cancellationToken)
    {
        var rule = playlist ? _limits.Playlist : _limits.Segment;
        if (_shared is null || !rule.Enabled)
        {
            return new RateLimitDecision(TryAcquire(client, playlist, out var retry), retry);
        }
        var shared = await _shared.TryAcquireAsync(client, playlist, rule, cancellationToken).ConfigureAwait(false);
        if (shared is { } decision)
        {
            return decision;
        }
        return new RateLimitDecision(TryAcquire(client, playlist, out var retryAfter), retryAfter);
    }

    /// <summary>True when the request may proceed; otherwise <paramref name="retryAfter"/> says when to come back.</summary>
    public bool TryAcquire(IPAddress? client, bool playlist, out TimeSpan retryAfter)
    {
        retryAfter = TimeSpan.Zero;
        var limiter = playlist ? _playlist : _segment;
        if (limiter is null)
        {
            return true;
        }
        IpKey.TryGet(client, out var key); // unknown peer (no socket address): one shared bucket
        using var lease = limiter.AttemptAcquire(key);
        if (lease.IsAcquired)
        {
            return true;
        }
        if (!lease.TryGetMetadata(MetadataName.RetryAfter, out retryAfter))
        {
            retryAfter = TimeSpan.FromSeconds(1);
        }
        return false;
    }

    private static PartitionedRateLimiter<UInt128>? Create(RateLimitRule rule)
    {
        if (!rule.Enabled)
        {
            return null;
        }
        // The partitioned limiter replenishes every 100 ms, so spread the rate over 100 ms ticks when it allows.
        var pps = rule.PermitsPerSecond;
        var (period, tokens) = pps >= 10
            ? (TimeSpan.FromMilliseconds(100), Math.Max(1, (int)Math.Round(pps / 10.0)))
            : (TimeSpan.FromSeconds(1.0 / pps), 1);
        var options = new TokenBucketRateLimiterOptions
        {
            TokenLimit = rule.Burst > 0 ? rule.Burst : pps,
            TokensPerPeriod = tokens,
            ReplenishmentPeriod = period,
            QueueLimit = 0,
            AutoReplenishment = true,
        };
        return PartitionedRateLimiter.Create<UInt128, UInt128>(ip => RateLimitPartition.GetTokenBucketLimiter(ip, _ => options));
    }

    public void Dispose()
    {
        _playlist?.Dispose();
        _segment?.Dispose();
    }
}
