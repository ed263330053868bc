namespace HlsGateway.Hls;

/// <summary>
/// One line of a playlist as read by <see cref="M3u8LineReader"/>: views into the body, nothing copied.
/// </summary>
/// <remarks>
/// Kept small and lazy: the reader builds one for every line of every playlist a player reloads, and most callers
/// look at a few tags only, so the tag name is sliced and identified on demand (<see cref="Tag"/>), not up front.
/// </remarks>
public readonly ref struct M3u8Line
{
    private readonly int _colon; // index of the first ':' in Text for a tag, -1 when none

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    internal M3u8Line(ReadOnlySpan<byte> raw, ReadOnlySpan<byte> lineBreak, int offset)
    {
        Raw = raw;
        LineBreak = lineBreak;
        Offset = offset;
        var text = Blanks.Trim(raw);
        Text = text;
        _colon = -1;
        if (text.IsEmpty)
        {
            Kind = M3u8LineKind.Blank;
        }
        else if (text[0] != (byte)'#')
        {
            Kind = M3u8LineKind.Uri;
        }
        else if (text.Length >= 4 && text[1] == (byte)'E' && text[2] == (byte)'X' && text[3] == (byte)'T')
        {
            Kind = M3u8LineKind.Tag;
            _colon = text.IndexOf((byte)':');
        }
        else
        {
            Kind = M3u8LineKind.Comment;
        }
    }

    /// <summary>The line as it is in the body, without its line break.</summary>
    public ReadOnlySpan<byte> Raw { get; }

    /// <summary><see cref="Raw"/> without leading and trailing spaces and tabs.</summary>
    public ReadOnlySpan<byte> Text { get; }

    /// <summary>The bytes that ended the line (LF, CRLF, CR, U+2028/U+2029), empty for the last line.</summary>
    public ReadOnlySpan<byte> LineBreak { get; }

    /// <summary>Where <see cref="Raw"/> starts in the body.</summary>
    public int Offset { get; }

    public M3u8LineKind Kind { get; }

    /// <summary>For a tag: its name with the leading <c>#</c>, e.g. <c>#EXT-X-MAP</c>; empty for other lines.</summary>
    public ReadOnlySpan<byte> TagName
    {
        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
        get => Kind != M3u8LineKind.Tag ? default : _colon < 0 ? Text : Text[.._colon];
    }

    /// <summary>True for the tag named <paramref name="name"/> (with its <c>#</c>): one length test for most lines, no <see cref="Tag"/> lookup.</summary>
    public bool IsTag(ReadOnlySpan<byte> name) => TagName.SequenceEqual(name);

    /// <summary>For a tag: the known tag it is, or <see cref="HlsTag.Unknown"/> (identified on each call: keep it).</summary>
    public HlsTag Tag => Kind == M3u8LineKind.Tag ? HlsTags.Identify(TagName) : HlsTag.Unknown;

    /// <summary>For a tag: whether it has a <c>:</c> and so a value (possibly empty).</summary>
    public bool HasValue => _colon >= 0;

    /// <summary>For a tag: what follows the first <c>:</c> (a number, an attribute list, a date...).</summary>
    public ReadOnlySpan<byte> Value => _colon < 0 ? default : Text[(_colon + 1)..];

    /// <summary>True for a tag whose name starts with <c>#EXT-X-</c> (every tag but EXTM3U and EXTINF).</summary>
    public bool IsExtXTag
    {
        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
        get => Kind == M3u8LineKind.Tag && Text.Length >= 7 && Text[4] == (byte)'-' && Text[5] == (byte)'X' && Text[6] == (byte)'-';
    }

    /// <summary>Reads the value as an attribute list (RFC 8216 §4.2).</summary>
    public AttributeListReader Attributes() => new(Value);
}
