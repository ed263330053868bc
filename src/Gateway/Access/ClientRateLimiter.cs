using System.Net;
using System.Threading.RateLimiting;

namespace HlsGateway.Access;

/// <summary>
/// Token buckets per client IP, one partitioned limiter for playlists and one for segments
/// (<c>Gateway:RateLimits:Playlist</c> / <c>:Segment</c>). Read at start-up; off unless PermitsPerSecond &gt; 0.
/// </summary>
internal sealed class ClientRateLimiter : IDisposable
{
    private readonly PartitionedRateLimiter<UInt128>? _playlist;
    private readonly PartitionedRateLimiter<UInt128>? _segment;

    public ClientRateLimiter(AccessConfigMonitor config)
    {
        var limits = config.Current.Options.RateLimits;
        _playlist = Create(limits.Playlist);
        _segment = Create(limits.Segment);
    }

    public bool Enabled => _playlist is not null || _segment is not null;

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
