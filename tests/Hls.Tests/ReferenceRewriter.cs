using System.Buffers;

namespace HlsGateway.Hls.Tests;

/// <summary>
/// The line-by-line writer M3u8UriRewriter replaced (one M3u8Line, one write per piece): the reference its block copies
/// are checked against (<see cref="WriterDifferentialTests"/>).
/// </summary>
internal static class ReferenceRewriter
{
    /// <summary>
    /// Writes whole lines from <paramref name="offset"/> until at least <paramref name="budget"/> bytes were written or
    /// the body ends; returns the offset to continue from.
    /// </summary>
    public static int Rewrite<TMapper>(ReadOnlySpan<byte> body, int offset, IBufferWriter<byte> output, ref TMapper mapper, int budget, M3u8WriteMode mode)
        where TMapper : IUriMapper
    {
        if (offset == 0 && mode == M3u8WriteMode.Verbatim && body.StartsWith(M3u8LineReader.Utf8Bom))
        {
            output.Write(M3u8LineReader.Utf8Bom);
            offset = M3u8LineReader.Utf8Bom.Length;
        }
        var reader = new M3u8LineReader(body, offset);
        var written = 0;
        while (written < budget && reader.TryRead(out var line))
        {
            written += WriteLine(line, output, ref mapper, mode);
        }
        return reader.Offset;
    }

    /// <summary>Rewrites a whole body into one array.</summary>
    public static byte[] RewriteAll<TMapper>(ReadOnlySpan<byte> body, ref TMapper mapper, M3u8WriteMode mode)
        where TMapper : IUriMapper
    {
        var output = new ArrayBufferWriter<byte>(body.Length + body.Length / 4 + 64);
        Rewrite(body, 0, output, ref mapper, int.MaxValue, mode);
        return output.WrittenSpan.ToArray();
    }

    private static int WriteLine<TMapper>(in M3u8Line line, IBufferWriter<byte> output, ref TMapper mapper, M3u8WriteMode mode)
        where TMapper : IUriMapper
    {
        var verbatim = mode == M3u8WriteMode.Verbatim;
        int n;
        switch (line.Kind)
        {
            case M3u8LineKind.Blank:
            case M3u8LineKind.Comment:
                n = Write(output, verbatim || line.Kind == M3u8LineKind.Comment ? line.Raw : default);
                break;
            case M3u8LineKind.Uri:
                n = verbatim ? Write(output, Leading(line)) : 0;
                n += mapper.WriteUri(line.Text, HlsTag.Unknown, default, output);
                n += verbatim ? Write(output, Trailing(line)) : 0;
                break;
            default:
                if (!mapper.KeepTag(line))
                {
                    return 0;
                }
                n = verbatim ? Write(output, Leading(line)) : 0;
                n += line.HasValue && line.IsExtXTag
                    ? WriteAttributes(line, output, ref mapper)
                    : Write(output, verbatim ? line.Text : line.Raw);
                n += verbatim ? Write(output, Trailing(line)) : 0;
                break;
        }
        return n + Write(output, verbatim ? line.LineBreak : "\n"u8);
    }

    /// <summary>Copies a tag's text, replacing the quoted values of URI attributes.</summary>
    private static int WriteAttributes<TMapper>(in M3u8Line line, IBufferWriter<byte> output, ref TMapper mapper)
        where TMapper : IUriMapper
    {
        var text = line.Text;
        var valueOffset = text.Length - line.Value.Length;
        var copyFrom = 0;
        var written = 0;
        HlsTag? tag = null; // identified at the first URI only: most EXT-X tag lines have none
        var attributes = line.Attributes();
        while (attributes.TryRead(out var a))
        {
            if (a.IsQuoted && HlsTags.IsUriAttribute(a.Name))
            {
                var start = valueOffset + a.ValueStart;
                written += Write(output, text[copyFrom..start]);
                tag ??= line.Tag;
                written += mapper.WriteUri(a.Value, tag.Value, line.TagName, output);
                copyFrom = start + a.Value.Length;
            }
        }
        return written + Write(output, text[copyFrom..]);
    }

    private static ReadOnlySpan<byte> Leading(in M3u8Line line) => line.Raw[..(line.Raw.Length - line.Raw.TrimStart(" \t"u8).Length)];

    private static ReadOnlySpan<byte> Trailing(in M3u8Line line) => line.Raw[line.Raw.TrimEnd(" \t"u8).Length..];

    private static int Write(IBufferWriter<byte> output, ReadOnlySpan<byte> bytes)
    {
        output.Write(bytes);
        return bytes.Length;
    }
}
