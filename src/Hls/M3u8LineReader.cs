namespace HlsGateway.Hls;

/// <summary>
/// Splits a playlist body into lines without allocating. A line ends at LF, CRLF, a lone CR or U+2028/U+2029:
/// players parse with JavaScript regexes (hls.js) that end a tag at any of these, so splitting on LF alone would
/// let <c>#EXTINF:4,\rhttp://elsewhere/x.ts</c> through as a comment to us and a URI line to the player.
/// A UTF-8 BOM at the start is skipped (RFC 8216 forbids it, encoders still write it).
/// </summary>
public ref struct M3u8LineReader
{
    private readonly ReadOnlySpan<byte> _body;
    private int _offset;

    /// <param name="body">The whole playlist.</param>
    /// <param name="offset">Where to start (0, or a value of <see cref="Offset"/> from an earlier reader).</param>
    public M3u8LineReader(ReadOnlySpan<byte> body, int offset = 0)
    {
        _body = body;
        _offset = offset == 0 && body.StartsWith(Utf8Bom) ? Utf8Bom.Length : offset;
    }

    /// <summary>The UTF-8 byte order mark.</summary>
    public static ReadOnlySpan<byte> Utf8Bom => "\uFEFF"u8;

    /// <summary>Where the next line starts.</summary>
    public readonly int Offset => _offset;

    /// <summary>Reads the next line; false at the end of the body.</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    public bool TryRead(out M3u8Line line)
    {
        if (_offset >= _body.Length)
        {
            line = default;
            return false;
        }
        var rest = _body[_offset..];
        var end = NextLineBreak(rest, out var breakLength);
        line = new M3u8Line(rest[..end], rest.Slice(end, breakLength), _offset);
        _offset += end + breakLength;
        return true;
    }

    /// <summary>
    /// Where the line at the start of <paramref name="rest"/> ends, and the length of its break (0 at the end of the
    /// body). One vectorised search for all three first bytes; an LF (the common hit) returns inline, only CR and
    /// 0xE2 look further (U+2028/U+2029 are E2 80 A8/A9, other characters starting with E2 are text).
    /// </summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    internal static int NextLineBreak(ReadOnlySpan<byte> rest, out int breakLength)
    {
        var i = rest.IndexOfAny((byte)'\n', (byte)'\r', (byte)0xE2);
        if (i >= 0 && rest[i] == (byte)'\n')
        {
            breakLength = 1;
            return i;
        }
        return OtherLineBreak(rest, i, out breakLength);
    }

    private static int OtherLineBreak(ReadOnlySpan<byte> rest, int i, out int breakLength)
    {
        while (true)
        {
            if (i < 0)
            {
                breakLength = 0;
                return rest.Length;
            }
            switch (rest[i])
            {
                case (byte)'\n':
                    breakLength = 1;
                    return i;
                case (byte)'\r':
                    breakLength = i + 1 < rest.Length && rest[i + 1] == (byte)'\n' ? 2 : 1;
                    return i;
                default:
                    if (i + 2 < rest.Length && rest[i + 1] == 0x80 && rest[i + 2] is 0xA8 or 0xA9)
                    {
                        breakLength = 3;
                        return i;
                    }
                    // another character starting with E2 (e.g. an em dash)
                    var next = rest[(i + 1)..].IndexOfAny((byte)'\n', (byte)'\r', (byte)0xE2);
                    i = next < 0 ? -1 : i + 1 + next;
                    break;
            }
        }
    }
}
