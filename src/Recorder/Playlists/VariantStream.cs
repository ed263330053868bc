namespace HlsGateway.Recorder.Playlists;

/// <summary>An EXT-X-STREAM-INF entry of a master playlist.</summary>
internal sealed record VariantStream(string Uri, long Bandwidth, long? AverageBandwidth, int? Width, int? Height, string? Codecs);
