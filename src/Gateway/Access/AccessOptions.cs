namespace HlsGateway.Access;

/// <summary>
/// The access-control parts of the <c>Gateway</c> section (<c>Gateway:Access</c>, <c>Gateway:Signing</c>,
/// <c>Gateway:Admin</c>, <c>Gateway:RateLimits</c>). Bound from the same section as GatewayOptions; each
/// binder ignores the other's keys.
/// </summary>
public sealed class AccessOptions
{
    public AllowlistOptions Access { get; set; } = new();

    public SigningOptions Signing { get; set; } = new();

    public AdminOptions Admin { get; set; } = new();

    public RateLimitsOptions RateLimits { get; set; } = new();

    /// <summary><c>Gateway:Redis</c> (owned by GatewayOptions); read here only to check <c>Gateway:RateLimits:Shared</c>.</summary>
    public string? Redis { get; set; }
}

public sealed class AllowlistOptions
{
    /// <summary><c>Gateway:Access:Allow</c>: CIDRs (or single addresses). Empty, and no admin entries: everyone is allowed.</summary>
    public List<string> Allow { get; set; } = [];

    /// <summary>
    /// <c>Gateway:Access:AllowFile</c>: path of a text file with one CIDR per line ('#' starts a comment, blank
    /// lines are skipped), added to <see cref="Allow"/>: for lists too large for configuration (100k entries).
    /// Relative paths are relative to the working directory. Read at start-up and on every configuration reload.
    /// </summary>
    public string? AllowFile { get; set; }

    /// <summary><c>Gateway:Access:TrustedProxies</c>: peers whose forwarding header is believed. Read at start-up only.</summary>
    public List<string> TrustedProxies { get; set; } = [];

    /// <summary>
    /// <c>Gateway:Access:ForwardedHeader</c>: which header trusted proxies write, <c>XForwardedFor</c> (default) or
    /// <c>Forwarded</c> (RFC 7239). One of the two, never both: a proxy only appends to its own header, so the other
    /// one would be whatever the client sent.
    /// </summary>
    public ForwardedHeaderKind ForwardedHeader { get; set; } = ForwardedHeaderKind.XForwardedFor;

    /// <summary>Apply the allowlist to /health, /metrics, /stats and /monitor too. Default false (monitoring stays reachable).</summary>
    public bool ProtectMonitoring { get; set; }
}

/// <summary>The header trusted proxies put the client chain in.</summary>
public enum ForwardedHeaderKind
{
    XForwardedFor,
    Forwarded,
}

public sealed class SigningOptions
{
    /// <summary>Reject unsigned <c>/hls/*</c> requests. Default false.</summary>
    public bool Required { get; set; }

    /// <summary>How long after <c>exp</c> a URL is still accepted (clocks differ). Default 30 s.</summary>
    public TimeSpan ClockSkew { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary><c>Gateway:Signing:Keys:&lt;kid&gt;</c> = base64 HMAC-SHA256 secret (at least 16 bytes).</summary>
    public Dictionary<string, string> Keys { get; set; } = new(StringComparer.Ordinal);
}

public sealed class AdminOptions
{
    /// <summary>Bearer token for <c>/admin/*</c> (at least 16 characters). Empty: the admin API answers 404.</summary>
    public string? Token { get; set; }
}

public sealed class RateLimitsOptions
{
    /// <summary>
    /// <c>Gateway:RateLimits:Shared</c>: count each client's requests in Redis (<c>Gateway:Redis</c> required), so
    /// the limits hold across all gateway instances. Falls back to per-instance buckets while Redis is unreachable.
    /// Default false: per instance.
    /// </summary>
    public bool Shared { get; set; }

    /// <summary>Per client IP, for .m3u8/.m3u requests. Off when PermitsPerSecond is 0 (default).</summary>
    public RateLimitRule Playlist { get; set; } = new();

    /// <summary>Per client IP, for everything else under /hls/ (segments, keys, init sections). Off by default.</summary>
    public RateLimitRule Segment { get; set; } = new();
}

public sealed class RateLimitRule
{
    /// <summary>Sustained requests per second per client IP; 0 = no limit.</summary>
    public int PermitsPerSecond { get; set; }

    /// <summary>Requests a client may make at once before the sustained rate applies; 0 = PermitsPerSecond.</summary>
    public int Burst { get; set; }

    public bool Enabled => PermitsPerSecond > 0;
}
