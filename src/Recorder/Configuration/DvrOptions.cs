namespace HlsGateway.Recorder.Configuration;

/// <summary>The <c>Recorder:Dvr</c> section: how long the raw segments that <c>/dvr/&lt;recording&gt;/index.m3u8</c> serves are kept.</summary>
public sealed class DvrOptions
{
    /// <summary>
    /// How long after a part is closed its raw file (the segments the DVR playlist points into) is kept next to the
    /// verified MP4. 0 (default): deleted right after a verified remux, as before, so DVR covers only the open part and
    /// parts not remuxed (yet, or at all: <c>Recorder:Remux=none</c>, failed remux). At most 30 days.
    /// </summary>
    public TimeSpan RetentionWindow { get; set; }
}
