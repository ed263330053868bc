namespace HlsGateway.Monitor;

/// <summary>The <c>Monitor</c> configuration section. Every property documents its default.</summary>
public sealed class MonitorOptions
{
    public const string SectionName = "Monitor";

    /// <summary><c>Monitor:MetricsEnabled</c>: record metrics and serve <c>/metrics</c>. Default true. Off: /stats shows zeros.</summary>
    public bool MetricsEnabled { get; set; } = true;

    /// <summary><c>Monitor:RefreshSeconds</c>: how often /monitor polls /stats (a page can override with <c>?refresh=</c>). Default 2 s, 0.5..60.</summary>
    public double RefreshSeconds { get; set; } = 2;

    /// <summary><c>Monitor:RequireAdminToken</c>: /monitor and /stats demand <c>Gateway:Admin:Token</c> (bearer or <c>?token=</c>). Default false (open; the IP allowlist may cover it).</summary>
    public bool RequireAdminToken { get; set; }

    /// <summary><c>Monitor:OriginProbePath</c>: path below each origin's base URL that the health probe requests. Default empty (the base URL itself).</summary>
    public string OriginProbePath { get; set; } = string.Empty;

    /// <summary><c>Monitor:OriginProbeInterval</c>: origins are probed at most this often (on demand: /health, /metrics scrapes, /stats); results are cached in between. Default 10 s.</summary>
    public TimeSpan OriginProbeInterval { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary><c>Monitor:OriginProbeTimeout</c>: one probe's time limit. Default 3 s.</summary>
    public TimeSpan OriginProbeTimeout { get; set; } = TimeSpan.FromSeconds(3);

    /// <summary><c>Monitor:RedisProbeTimeout</c>: the readiness PING's time limit. Default 1 s.</summary>
    public TimeSpan RedisProbeTimeout { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary><c>Monitor:ViewerWindow</c>: a client counts as a viewer of a playlist it fetched within this window. Default 30 s.</summary>
    public TimeSpan ViewerWindow { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary><c>Monitor:MaxTrackedStreams</c>: playlists tracked for viewer counts; beyond it new ones are ignored until old ones go idle. Default 2000.</summary>
    public int MaxTrackedStreams { get; set; } = 2000;

    /// <summary><c>Monitor:MaxViewersPerStream</c>: distinct clients remembered per playlist (the count saturates there). Default 10000.</summary>
    public int MaxViewersPerStream { get; set; } = 10_000;

    /// <summary><c>Monitor:TopStreams</c>: streams listed in /stats. Default 10.</summary>
    public int TopStreams { get; set; } = 10;

    /// <summary><c>Monitor:StreamMetricsTopN</c>: publish <c>hlsgw_stream_viewers{origin,stream}</c> for the top N playlists (opt-in; bounded cardinality). Default 0 = off.</summary>
    public int StreamMetricsTopN { get; set; }

    /// <summary><c>Monitor:MaxOriginLabels</c>: distinct origin label values; further origins are folded into <c>_other</c>. Default 64.</summary>
    public int MaxOriginLabels { get; set; } = 64;
}
