namespace HlsGateway.Recorder.Playlists;

/// <summary>EXT-X-MAP: the fMP4 initialisation section a segment depends on.</summary>
internal sealed record InitSection(string Uri, ByteRangeSpec? ByteRange);
