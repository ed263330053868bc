namespace HlsGateway.Recorder.Playlists;

/// <summary>An EXT-X-MEDIA entry of a master playlist: an alternative rendition in a group (RFC 8216 §4.3.4.1).</summary>
internal sealed record Rendition(
    string Type,
    string GroupId,
    string Name,
    string? Language,
    bool IsDefault,
    bool AutoSelect,
    string? Uri,
    string? Channels);
