namespace HlsGateway.Recorder.Playlists;

/// <summary>An EXT-X-BYTERANGE / BYTERANGE attribute resolved to an absolute offset.</summary>
internal readonly record struct ByteRangeSpec(long Offset, long Length)
{
    public long End => Offset + Length;

    /// <summary>The HTTP Range header value for this range.</summary>
    public string ToRangeHeader() => $"bytes={Offset}-{Offset + Length - 1}";
}
