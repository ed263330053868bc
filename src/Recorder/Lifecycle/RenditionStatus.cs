namespace HlsGateway.Recorder.Lifecycle;

/// <summary>One EXT-X-MEDIA rendition a recording follows alongside its variant (admin API, /stats).</summary>
internal sealed record RenditionStatus(
    string Type,
    string GroupId,
    string Name,
    string? Language,
    bool IsDefault,
    string Playlist,
    string TrackId,
    long Segments,
    long Bytes,
    long? LastMediaSequence,
    int Gaps);
