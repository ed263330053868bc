namespace HlsGateway.Hls;

/// <summary>The tags of RFC 8216 and rfc8216bis (draft 17) the model knows.</summary>
public enum HlsTag
{
    /// <summary>Not a tag, or a tag this model does not know (kept as it is by writers).</summary>
    Unknown,

    // basic and either-playlist tags
    ExtM3u,
    Version,
    IndependentSegments,
    Start,
    Define,

    // media playlist tags
    TargetDuration,
    MediaSequence,
    DiscontinuitySequence,
    EndList,
    PlaylistType,
    IFramesOnly,
    PartInf,
    ServerControl,

    // media segment tags
    ExtInf,
    ByteRange,
    Discontinuity,
    Key,
    Map,
    ProgramDateTime,
    Gap,
    Bitrate,
    Part,
    DateRange,
    Skip,
    PreloadHint,
    RenditionReport,

    // multivariant (master) playlist tags
    Media,
    StreamInf,
    IFrameStreamInf,
    SessionData,
    SessionKey,
    ContentSteering,
}
