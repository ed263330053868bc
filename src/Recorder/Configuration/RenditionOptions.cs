namespace HlsGateway.Recorder.Configuration;

/// <summary>
/// The <c>Recorder:Renditions</c> section: the alternative renditions (EXT-X-MEDIA with a URI) of the recorded variant
/// that are followed in step with its video and kept with each part.
/// </summary>
public sealed class RenditionOptions
{
    /// <summary><c>Default</c> (default): the DEFAULT=YES audio rendition, else the first; <c>All</c>: every language; <c>None</c>.</summary>
    public AudioRenditions Audio { get; set; } = AudioRenditions.Default;

    /// <summary><c>Sidecar</c> (default): WebVTT renditions become a <c>.vtt</c> per part; <c>None</c>.</summary>
    public SubtitleRenditions Subtitles { get; set; } = SubtitleRenditions.Sidecar;
}
