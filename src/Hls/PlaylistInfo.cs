namespace HlsGateway.Hls;

/// <summary>What a cache or a player needs to know about a playlist without modelling every segment.</summary>
public readonly record struct PlaylistInfo(
    PlaylistKind Kind,
    bool HasEndList,
    PlaylistType Type,
    double TargetDurationSeconds,
    long MediaSequence,
    long DiscontinuitySequence,
    double PartTargetSeconds,
    int SegmentCount)
{
    public bool IsValid => Kind != PlaylistKind.Invalid;

    public bool IsMaster => Kind == PlaylistKind.Multivariant;

    /// <summary>
    /// True when the playlist will not change again: EXT-X-ENDLIST, or PLAYLIST-TYPE:VOD (which promises it,
    /// RFC 8216 §4.3.3.5). A master is neither live nor VOD and answers false.
    /// </summary>
    public bool IsEndList => Kind == PlaylistKind.Media && (HasEndList || Type == PlaylistType.Vod);

    /// <summary>A media playlist that may still change (live or EVENT).</summary>
    public bool IsLive => Kind == PlaylistKind.Media && !IsEndList;

    /// <summary>A low-latency playlist (rfc8216bis §4.4.3.7): it carries EXT-X-PART-INF.</summary>
    public bool IsLowLatency => PartTargetSeconds > 0;
}
