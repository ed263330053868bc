namespace HlsGateway.Configuration;

/// <summary>Root of the <c>Gateway</c> configuration section (see ARCHITECTURE.md for the public contract).</summary>
public sealed class GatewayOptions
{
    public const string SectionName = "Gateway";

    /// <summary><c>Gateway:Origins:&lt;name&gt;</c> = base URL. Empty: the built-in demo origin serves as <c>demo</c>.</summary>
    public Dictionary<string, string> Origins { get; set; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Per-origin transport settings, <c>Gateway:OriginSettings:&lt;name&gt;:*</c>. Optional.</summary>
    public Dictionary<string, OriginSettings> OriginSettings { get; set; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>StackExchange.Redis connection string. Empty: everything is in-memory.</summary>
    public string? Redis { get; set; }

    public ProxyOptions Proxy { get; set; } = new();

    public CacheOptions Cache { get; set; } = new();

    /// <summary>Serve the built-in demo origin even when other origins are configured.</summary>
    public bool Demo { get; set; }
}

/// <summary>Transport settings for one origin.</summary>
public sealed class OriginSettings
{
    /// <summary>Speak HTTP/2 without TLS (h2c, prior knowledge). Only for origins known to support it.</summary>
    public bool Http2PriorKnowledge { get; set; }

    /// <summary>Accept any TLS certificate from this origin (self-signed test origins only). Default false.</summary>
    public bool AcceptAnyCertificate { get; set; }

    /// <summary>
    /// Which headers tell this origin the client address (resolved through <c>Gateway:Access:TrustedProxies</c>):
    /// <c>Xff</c> (default), <c>Forwarded</c> (RFC 7239) or <c>Off</c>. Applies to cache fills and streamed requests alike.
    /// </summary>
    /// <remarks>A string, not the enum: the binder silently skips an unconvertible value inside a dictionary entry, the validator does not.</remarks>
    public string Forwarding { get; set; } = nameof(ForwardingMode.Xff);

    /// <summary><see cref="Forwarding"/> parsed (case-insensitive); only meaningful once validated.</summary>
    internal ForwardingMode ForwardingMode => TryParseForwarding(Forwarding, out var mode) ? mode : ForwardingMode.Xff;

    internal static bool TryParseForwarding(string? text, out ForwardingMode mode)
    {
        mode = ForwardingMode.Xff;
        return !string.IsNullOrWhiteSpace(text) && !char.IsAsciiDigit(text.Trim()[0]) && text.Trim()[0] != '-' && !text.Contains(',') &&
            Enum.TryParse(text.Trim(), ignoreCase: true, out mode) && Enum.IsDefined(mode);
    }

    /// <summary>
    /// Removed: it was never enforced (configured origins are trusted configuration; loopback and private origins are
    /// normal for an edge in front of its packager). Bound only so that a configured value stops start-up naming the key.
    /// </summary>
    public bool? AllowPrivateAddresses { get; set; }

    /// <summary>
    /// Origin response headers the cache ignores, as nginx <c>proxy_ignore_headers</c>: any of <c>Cache-Control</c>,
    /// <c>Expires</c>, <c>Set-Cookie</c> (case-insensitive). Default none: <c>no-store</c>, <c>private</c> and
    /// <c>Set-Cookie</c> keep a response out of the cache, <c>max-age</c>/<c>s-maxage</c>/<c>Expires</c> shorten its TTL.
    /// </summary>
    public List<string> IgnoreHeaders { get; set; } = [];

    /// <summary>
    /// Use the origin's <c>s-maxage</c>/<c>max-age</c>/<c>Expires</c> as the TTL of a 200 even when it is longer than the
    /// HLS rule (<c>Gateway:Cache:*Ttl</c>, the live playlist fraction). Default false: the origin can only shorten it.
    /// </summary>
    public bool TrustOriginTtl { get; set; }

    /// <summary>
    /// Query parameters forwarded to this origin and kept in the cache key, besides <c>_HLS_msn</c>, <c>_HLS_part</c> and
    /// <c>_HLS_skip</c> (e.g. an origin token its playlists put on every URI). <c>*</c>: all. Default none: other
    /// parameters are dropped, or refused with 403 when signing is required (docs/signing.md).
    /// </summary>
    public List<string> ForwardQuery { get; set; } = [];

    /// <summary>
    /// Further base URLs serving the same content as <c>Gateway:Origins:&lt;name&gt;</c>, in order of preference
    /// (<c>Backups:0..n</c>). A connect error, timeout, truncated body or 5xx on the active URL moves fetches to the
    /// next healthy one (docs/failover.md). Default none: the origin has one URL and no failover.
    /// </summary>
    public List<string> Backups { get; set; } = [];

    /// <summary>
    /// How long a URL that failed is kept out before one request probes it again; it is used again once that
    /// request is answered below 500. Only meaningful with <see cref="Backups"/>. Default 10 s.
    /// </summary>
    public TimeSpan FailoverCooldown { get; set; } = TimeSpan.FromSeconds(10);
}

public sealed class ProxyOptions
{
    /// <summary>TCP/TLS connect timeout to an origin. Default 8 s.</summary>
    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(8);

    /// <summary>Total time for one origin request including the body. Default 45 s.</summary>
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(45);

    /// <summary>HTTP/2 keep-alive ping interval to origins. Default 30 s.</summary>
    public TimeSpan KeepAlivePingDelay { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How long an idle pooled origin connection is kept. Default 2 min.</summary>
    public TimeSpan PooledConnectionIdleTimeout { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>Upper bound on response header bytes accepted from an origin (hostile origins). Default 64 KB.</summary>
    public int MaxResponseHeadersKiB { get; set; } = 64;
}

public sealed class CacheOptions
{
    /// <summary>Bytes the in-memory cache may hold before evicting. Default 512 MB.</summary>
    public long SizeLimitBytes { get; set; } = 512L * 1024 * 1024;

    /// <summary>Largest body that is cached; larger ones stream through (X-Cache: BYPASS). Default 32 MB.</summary>
    public long MaxEntryBytes { get; set; } = 32L * 1024 * 1024;

    /// <summary>Live media playlist TTL as a fraction of EXT-X-TARGETDURATION (capped at 1). Default 0.5.</summary>
    public double LivePlaylistFraction { get; set; } = 0.5;

    /// <summary>VOD playlists (EXT-X-ENDLIST). Default 10 min.</summary>
    public TimeSpan VodPlaylistTtl { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>Master (multivariant) playlists. Default 5 s.</summary>
    public TimeSpan MasterPlaylistTtl { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Media segments, init sections and keys. Default 10 min.</summary>
    public TimeSpan SegmentTtl { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>Anything else (not HLS). Default 5 s.</summary>
    public TimeSpan OtherTtl { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Negative caching of 404 for segments (at most 1 s; 0 disables). Default 1 s.</summary>
    public TimeSpan NotFoundTtl { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>How long an expired entry may still be served (X-Cache: STALE) while the origin fails. Default 60 s; 0 disables.</summary>
    public TimeSpan StaleIfError { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>
    /// How long after expiry a segment or VOD playlist is still served (X-Cache: STALE) while one background fetch
    /// refreshes it (RFC 5861 stale-while-revalidate; nginx <c>proxy_cache_use_stale updating</c> +
    /// <c>proxy_cache_background_update</c>). Live and master playlists are never served this way. Default 0: off.
    /// </summary>
    public TimeSpan StaleWhileRevalidate { get; set; } = TimeSpan.Zero;

    /// <summary>
    /// With Redis: how long an instance waits for another instance's fill of the same key (the fleet-wide
    /// fill lock) before fetching from the origin itself. Default 5 s; 0 disables the lock.
    /// </summary>
    public TimeSpan FillLockWait { get; set; } = TimeSpan.FromSeconds(5);
}
