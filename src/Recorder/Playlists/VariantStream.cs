namespace HlsGateway.Recorder.Playlists;

/// <summary>An EXT-X-STREAM-INF entry of a master playlist, with the rendition groups it refers to.</summary>
internal sealed record VariantStream(
    string Uri,
    long Bandwidth,
    long? AverageBandwidth,
    int? Width,
    int? Height,
    string? Codecs,
    string? AudioGroup = null,
    string? SubtitlesGroup = null);
