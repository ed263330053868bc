namespace HlsGateway.Recorder.Configuration;

/// <summary>One recording: from configuration (<c>Recorder:Recordings:N</c>) or the admin API.</summary>
public sealed class RecordingDefinition
{
    /// <summary>Unique name; letters, digits, '-' and '_' (it becomes the <c>{stream}</c> folder).</summary>
    public string Name { get; set; } = string.Empty;

    /// <summary>
    /// The stream: a gateway path (<c>/hls/&lt;origin&gt;/&lt;path&gt;.m3u8</c>) resolved against
    /// <c>Recorder:BaseUrl</c> (the gateway's own loopback address, so recording shares the cache), or an absolute http(s) URL.
    /// </summary>
    public string Url { get; set; } = string.Empty;

    /// <summary>For a master playlist: <c>best</c> (default), <c>lowest</c>, or a bandwidth in bit/s (closest wins).</summary>
    public string Variant { get; set; } = "best";

    /// <summary>Overrides <c>Recorder:SplitSeconds</c> for this recording (0 = no time split).</summary>
    public double? SplitSeconds { get; set; }

    /// <summary>Overrides <c>Recorder:SplitBytes</c> for this recording (0 = no size split).</summary>
    public long? SplitBytes { get; set; }
}
