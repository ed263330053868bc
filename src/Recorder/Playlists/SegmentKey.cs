namespace HlsGateway.Recorder.Playlists;

/// <summary>EXT-X-KEY in force for a segment. Encrypted segments are recorded as received; the key URI is noted.</summary>
internal sealed record SegmentKey(string Method, string? Uri, string? IV, string? KeyFormat)
{
    public bool IsEncrypted => !string.Equals(Method, "NONE", StringComparison.OrdinalIgnoreCase);
}
