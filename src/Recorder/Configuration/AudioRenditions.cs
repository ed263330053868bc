namespace HlsGateway.Recorder.Configuration;

/// <summary><c>Recorder:Renditions:Audio</c>: which EXT-X-MEDIA audio renditions of the recorded variant's AUDIO group are recorded.</summary>
public enum AudioRenditions
{
    /// <summary>The DEFAULT=YES rendition of the group, else its first one (default).</summary>
    Default,

    /// <summary>Every rendition of the group (all languages), each its own audio track.</summary>
    All,

    /// <summary>None: only what the variant's own playlist carries (the behaviour before renditions were followed).</summary>
    None,
}
