using System.Buffers;

namespace HlsGateway.Hls;

/// <summary>
/// The playlist writer: copies a body and hands every URI to an <see cref="IUriMapper"/> — URI lines and the quoted
/// URI attributes (<see cref="HlsTags.IsUriAttribute"/>) of every EXT-X tag, known or not, so a future tag with a
/// URI attribute cannot slip past a rewrite. Everything else is copied as <see cref="M3u8WriteMode"/> says.
/// Works in slices (<paramref name="budget"/>) so a caller can flush between them.
/// </summary>
/// <remarks>
/// The output is the body with a few edits (a URI replaced; in <see cref="M3u8WriteMode.Normalized"/> a BOM, blanks
/// or a dropped tag skipped, a line break made LF), so the bytes between two edits are copied in one block
/// (<see cref="Copier"/>), not line by line: most lines of a playlist have no URI and are copied as they are.
/// </remarks>
public static class M3u8UriRewriter
{
    /// <summary>
    /// Writes whole lines from <paramref name="offset"/> until at least <paramref name="budget"/> bytes were written or
    /// the body ends; returns the offset to continue from.
    /// </summary>
    public static int Rewrite<TMapper>(ReadOnlySpan<byte> body, int offset, IBufferWriter<byte> output, ref TMapper mapper, int budget, M3u8WriteMode mode)
        where TMapper : IUriMapper
    {
        var verbatim = mode == M3u8WriteMode.Verbatim;
        var copier = new Copier(body, output, offset);
        if (offset == 0 && body.StartsWith(M3u8LineReader.Utf8Bom))
        {
            offset = M3u8LineReader.Utf8Bom.Length;
            if (!verbatim)
            {
                copier.Skip(0, offset);
            }
        }
        while (offset < body.Length && copier.Written + (offset - copier.Start) < budget)
        {
            var rest = body[offset..];
            var end = M3u8LineReader.NextLineBreak(rest, out var breakLength);
            var line = new M3u8Line(rest[..end], rest.Slice(end, breakLength), offset);
            offset += end + breakLength;
            EditLine(line, ref copier, ref mapper, verbatim);
        }
        copier.CopyTo(offset);
        return offset;
    }

    /// <summary>Rewrites a whole body into one array.</summary>
    public static byte[] RewriteAll<TMapper>(ReadOnlySpan<byte> body, ref TMapper mapper, M3u8WriteMode mode)
        where TMapper : IUriMapper
    {
        var output = new ArrayBufferWriter<byte>(body.Length + body.Length / 4 + 64);
        Rewrite(body, 0, output, ref mapper, int.MaxValue, mode);
        return output.WrittenSpan.ToArray();
    }

    /// <summary>Applies one line's edits; a line without any stays in the pending block.</summary>
    private static void EditLine<TMapper>(in M3u8Line line, ref Copier copier, ref TMapper mapper, bool verbatim)
        where TMapper : IUriMapper
    {
        var start = line.Offset;
        var textStart = start + Leading(line);
        var textEnd = textStart + line.Text.Length;
        switch (line.Kind)
        {
            case M3u8LineKind.Blank:
                if (!verbatim)
                {
                    copier.Skip(start, start + line.Raw.Length); // empty, or only blanks
                }
                break;
            case M3u8LineKind.Comment:
                break;
            case M3u8LineKind.Uri:
                if (!verbatim)
                {
                    copier.Skip(start, textStart);
                }
                copier.CopyTo(textStart);
                copier.Replaced(textEnd, mapper.WriteUri(line.Text, HlsTag.Unknown, default, copier.Output));
                if (!verbatim)
                {
                    copier.Skip(textEnd, start + line.Raw.Length);
                }
                break;
            default:
                if (!mapper.KeepTag(line))
                {
                    copier.Skip(start, start + line.Raw.Length + line.LineBreak.Length);
                    return;
                }
                if (!line.HasValue || !line.IsExtXTag)
                {
                    break; // #EXTINF, #EXTM3U, valueless tags: kept as they are in both modes
                }
                if (!verbatim)
                {
                    copier.Skip(start, textStart);
                }
                if (line.Value.Contains((byte)'"'))
                {
                    EditAttributes(line, textEnd - line.Value.Length, ref copier, ref mapper);
                }
                if (!verbatim)
                {
                    copier.Skip(textEnd, start + line.Raw.Length);
                }
                break;
        }
        if (!verbatim && (line.LineBreak.Length != 1 || line.LineBreak[0] != (byte)'\n'))
        {
            var breakStart = start + line.Raw.Length;
            copier.Skip(breakStart, breakStart + line.LineBreak.Length);
            copier.Insert(breakStart, "\n"u8); // also after a last line without a break
        }
    }

    /// <summary>Replaces the quoted values of URI attributes; <paramref name="valueStart"/> is where the value is in the body.</summary>
    private static void EditAttributes<TMapper>(in M3u8Line line, int valueStart, ref Copier copier, ref TMapper mapper)
        where TMapper : IUriMapper
    {
        HlsTag? tag = null; // identified at the first URI only: most EXT-X tag lines have none
        var attributes = line.Attributes();
        while (attributes.TryRead(out var a))
        {
            if (a.IsQuoted && HlsTags.IsUriAttribute(a.Name))
            {
                var uriStart = valueStart + a.ValueStart;
                copier.CopyTo(uriStart);
                tag ??= line.Tag;
                copier.Replaced(uriStart + a.Value.Length, mapper.WriteUri(a.Value, tag.Value, line.TagName, copier.Output));
            }
        }
    }

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    private static int Leading(in M3u8Line line) =>
        line.Raw.Length == line.Text.Length || line.Text.IsEmpty ? 0 : line.Raw.Length - line.Raw.TrimStart(" \t"u8).Length;

    /// <summary>
    /// The output side: body bytes from <see cref="Start"/> on are pending and written in one block when an edit
    /// needs the output (or at the end).
    /// </summary>
    private ref struct Copier(ReadOnlySpan<byte> body, IBufferWriter<byte> output, int start)
    {
        private readonly ReadOnlySpan<byte> _body = body;

        public readonly IBufferWriter<byte> Output = output;

        /// <summary>The first body byte not yet written.</summary>
        public int Start = start;

        /// <summary>Bytes written to <see cref="Output"/> so far.</summary>
        public int Written;

        /// <summary>Writes the pending bytes up to <paramref name="end"/>.</summary>
        public void CopyTo(int end)
        {
            if (end > Start)
            {
                Output.Write(_body[Start..end]);
                Written += end - Start;
                Start = end;
            }
        }

        /// <summary>Leaves out the body bytes from <paramref name="from"/> to <paramref name="to"/>.</summary>
        public void Skip(int from, int to)
        {
            if (to > from)
            {
                CopyTo(from);
                Start = to;
            }
        }

        /// <summary>
        /// Records that the caller, after <see cref="CopyTo"/> up to a URI, wrote <paramref name="written"/> bytes
        /// for it to <see cref="Output"/>; the body continues at <paramref name="end"/>, the URI's end.
        /// </summary>
        public void Replaced(int end, int written)
        {
            Written += written;
            Start = end;
        }

        /// <summary>Writes <paramref name="bytes"/> where the body is at <paramref name="at"/> (after the pending bytes before it).</summary>
        public void Insert(int at, ReadOnlySpan<byte> bytes)
        {
            CopyTo(at);
            Output.Write(bytes);
            Written += bytes.Length;
        }
    }
}
