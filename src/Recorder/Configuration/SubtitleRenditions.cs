namespace HlsGateway.Recorder.Configuration;

/// <summary><c>Recorder:Renditions:Subtitles</c>: what happens to the WebVTT renditions of the recorded variant's SUBTITLES group.</summary>
public enum SubtitleRenditions
{
    /// <summary>Every subtitle rendition is kept as a sidecar <c>.vtt</c> per part (<c>part001.&lt;lang&gt;.vtt</c>), cues timed to the part (default).</summary>
    Sidecar,

    /// <summary>Subtitles are not recorded.</summary>
    None,
}
