using System.Buffers;

namespace HlsGateway.Hls;

/// <summary>What <see cref="M3u8UriRewriter"/> asks its caller: whether to keep a tag, and what to write for each URI.</summary>
public interface IUriMapper
{
    /// <summary>False drops the whole tag line (e.g. a gateway drops EXT-X-CONTENT-STEERING).</summary>
    bool KeepTag(in M3u8Line line);

    /// <summary>
    /// Writes the replacement for one URI and returns the bytes written. <paramref name="tag"/> is the tag that holds
    /// it (<see cref="HlsTag.Unknown"/> with an empty name for a URI line).
    /// </summary>
    int WriteUri(ReadOnlySpan<byte> uri, HlsTag tag, ReadOnlySpan<byte> tagName, IBufferWriter<byte> output);
}
