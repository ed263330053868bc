namespace HlsGateway.Recorder.Playlists;

/// <summary>One media segment of a media playlist with its sequence numbers resolved.</summary>
internal sealed record MediaSegment(
    long MediaSequence,
    long DiscontinuitySequence,
    double Duration,
    string Uri,
    ByteRangeSpec? ByteRange,
    bool Discontinuity,
    InitSection? Map,
    SegmentKey? Key,
    DateTimeOffset? ProgramDateTime);
