namespace HlsGateway.Recorder.Configuration;

/// <summary>The <c>Recorder</c> configuration section.</summary>
public sealed class RecorderOptions
{
    public const string SectionName = "Recorder";

    /// <summary>
    /// Root directory of all recordings; every output path stays inside it. Default: a data directory outside any
    /// source tree, <see cref="DefaultOutputDirectory"/> (<c>$XDG_DATA_HOME/hls-gateway/recordings</c>, else
    /// <c>~/.local/share/hls-gateway/recordings</c>); the systemd unit sets <c>/var/lib/hls-gateway/recordings</c>.
    /// </summary>
    public string OutputDirectory { get; set; } = DefaultOutputDirectory();

    /// <summary>
    /// The XDG base-directory rule for user data: <c>$XDG_DATA_HOME</c> when it is an absolute path, else
    /// <c>$HOME/.local/share</c>; with neither (a bare container), <c>./recordings</c> under the working directory.
    /// </summary>
    public static string DefaultOutputDirectory() => DefaultOutputDirectory(Environment.GetEnvironmentVariable);

    internal static string DefaultOutputDirectory(Func<string, string?> environment)
    {
        var xdg = environment("XDG_DATA_HOME");
        if (!string.IsNullOrEmpty(xdg) && Path.IsPathRooted(xdg))
        {
            return Path.Combine(xdg, "hls-gateway", "recordings");
        }
        var home = environment("HOME");
        return !string.IsNullOrEmpty(home) && Path.IsPathRooted(home)
            ? Path.Combine(home, ".local", "share", "hls-gateway", "recordings")
            : Path.GetFullPath("recordings");
    }

    /// <summary>
    /// Base URL that gateway-path recordings are fetched through (normally the gateway's own loopback
    /// address, so the recorder's fetches share the cache with players). Empty: the gateway supplies it at start.
    /// </summary>
    public string? BaseUrl { get; set; }

    /// <summary>Start a new part after this many seconds of media (at a segment boundary). 0 = off. Default 0.</summary>
    public double SplitSeconds { get; set; }

    /// <summary>Start a new part before a segment would take the part over this size. 0 = off. Default 0.</summary>
    public long SplitBytes { get; set; }

    /// <summary>Part file name (no extension) relative to the output root. Tokens: {stream}, {startUtc[:fmt]}, {part[:fmt]}.</summary>
    public string FileNameTemplate { get; set; } = "{stream}/{startUtc:yyyyMMdd-HHmmss}-part{part:000}";

    /// <summary>Remux finished parts to MP4 (default) or keep them raw.</summary>
    public RemuxMode Remux { get; set; } = RemuxMode.Mp4;

    /// <summary>Target durations without a new segment before the stream counts as stalled. Default 6.</summary>
    public int StallTargetDurations { get; set; } = 6;

    /// <summary>Segments the gateway's tee may queue for the recorder before further offers are dropped (and fetched by the recorder). Default 256.</summary>
    public int ChannelCapacity { get; set; } = 256;

    /// <summary>First retry delay when the stream is offline; doubles up to <see cref="MaxRetryDelay"/>. Default 1 s.</summary>
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Longest wait between checks of an offline stream. Default 60 s.</summary>
    public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>Path of the ffmpeg/ffprobe binaries' folder. Empty: found on PATH.</summary>
    public string? FfmpegDirectory { get; set; }

    /// <summary>
    /// Linux nice value ffmpeg and ffprobe run at (0 = the gateway's own priority, 19 = lowest). Default 10: a remux
    /// on a saturated machine yields to serving players and takes a little longer instead.
    /// </summary>
    public int FfmpegNice { get; set; } = 10;

    /// <summary>
    /// With <c>Gateway:Redis</c>: how long a recording lease lasts without renewal. The holder renews every third of it,
    /// standbys try to take it as often, so a dead holder is replaced within two periods. Default 10 s.
    /// </summary>
    public TimeSpan LeasePeriod { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>This instance's name as a lease holder (shown in status). Empty: host name, process id and a random suffix.</summary>
    public string? InstanceId { get; set; }

    /// <summary>Recordings that start with the gateway.</summary>
    public List<RecordingDefinition> Recordings { get; set; } = [];

    public WebhookOptions Webhooks { get; set; } = new();

    /// <summary>Demuxed audio and subtitle renditions of the recorded variant (<c>Recorder:Renditions</c>).</summary>
    public RenditionOptions Renditions { get; set; } = new();

    /// <summary>DVR / startover: retention of the raw segments (<c>Recorder:Dvr</c>).</summary>
    public DvrOptions Dvr { get; set; } = new();
}
