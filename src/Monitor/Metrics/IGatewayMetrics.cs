namespace HlsGateway.Monitor.Metrics;

/// <summary>What kind of HLS resource a request was for (a metric label).</summary>
public enum RouteKind
{
    MasterPlaylist,
    MediaPlaylist,
    Segment,
    Other,
}

/// <summary>How the cache answered (the X-Cache header and a metric label).</summary>
public enum CacheResult
{
    None,
    Hit,
    Miss,
    Stale,
    Bypass,
}

/// <summary>
/// The seam through which the gateway's hot path reports what happened. Implementations must be
/// cheap, thread-safe and must never throw.
/// </summary>
public interface IGatewayMetrics
{
    /// <summary>A proxied request finished (any status, including problem responses).</summary>
    void RequestCompleted(RouteKind kind, string origin, int statusCode, CacheResult cache, double seconds, long bytesSent);

    /// <summary>One request to an origin finished. <paramref name="error"/> is null on success, else a short reason (connect, timeout, status, truncated, too_large).</summary>
    void OriginFetch(string origin, RouteKind kind, int statusCode, double seconds, long bytesReceived, string? error);

    /// <summary>A request waited on another request's in-flight origin fetch instead of making its own.</summary>
    void RequestCollapsed(string origin);

    /// <summary>A request was refused before reaching the cache: reason is one of ip, signature, rate, bad_request.</summary>
    void RequestDenied(string reason);

    /// <summary>The in-memory cache changed size.</summary>
    void CacheSize(long entries, long bytes);

    /// <summary>A Redis command finished (or failed).</summary>
    void RedisCommand(string command, double seconds, bool ok);

    /// <summary>Redis connection state changed.</summary>
    void RedisConnected(bool connected);

    /// <summary>
    /// How a cache fill went with the fleet-wide Redis fill lock: <c>acquired</c> (this instance fetched for
    /// the fleet), <c>peer_filled</c> (another instance's fill was used), <c>fallback</c> (waited, then fetched
    /// itself), <c>unavailable</c> (Redis down: fetched without the lock). Default no-op for older fakes.
    /// </summary>
    void FillLock(string outcome) { }

    /// <summary>An expired entry was revalidated with a conditional GET: 304 (renewed, no body) or a new 200. Default no-op.</summary>
    void Revalidated(string origin, bool notModified) { }

    /// <summary>An admin purge ran (<paramref name="kind"/>: path or prefix) and removed <paramref name="entries"/> objects from memory tiers. Default no-op.</summary>
    void CachePurged(string kind, int entries) { }

    /// <summary>An expired segment or VOD playlist was served while one background fetch refreshes it (stale-while-revalidate). Default no-op.</summary>
    void BackgroundRefresh(string origin) { }

    /// <summary>Fetches for <paramref name="origin"/> moved from base URL <paramref name="from"/> to <paramref name="to"/> (a failover, or the way back). Default no-op.</summary>
    void OriginFailover(string origin, string from, string to) { }
}

/// <summary>Does nothing; used when metrics are off and in unit tests.</summary>
public sealed class NullGatewayMetrics : IGatewayMetrics
{
    public static readonly NullGatewayMetrics Instance = new();

    public void RequestCompleted(RouteKind kind, string origin, int statusCode, CacheResult cache, double seconds, long bytesSent) { }

    public void OriginFetch(string origin, RouteKind kind, int statusCode, double seconds, long bytesReceived, string? error) { }

    public void RequestCollapsed(string origin) { }

    public void RequestDenied(string reason) { }

    public void CacheSize(long entries, long bytes) { }

    public void RedisCommand(string command, double seconds, bool ok) { }

    public void RedisConnected(bool connected) { }

    public void FillLock(string outcome) { }
}
