namespace HlsGateway.Hls;

/// <summary>
/// One line of a playlist as read by <see cref="M3u8LineReader"/>: views into the body, nothing copied.
/// </summary>
public readonly ref struct M3u8Line
{
    internal M3u8Line(ReadOnlySpan<byte> raw, ReadOnlySpan<byte> lineBreak, int offset)
    {
        Raw = raw;
        LineBreak = lineBreak;
        Offset = offset;
        Text = raw.Trim(" \t"u8);
        if (Text.IsEmpty)
        {
            Kind = M3u8LineKind.Blank;
        }
        else if (Text[0] != (byte)'#')
        {
            Kind = M3u8LineKind.Uri;
        }
        else if (Text.StartsWith("#EXT"u8))
        {
            Kind = M3u8LineKind.Tag;
            var colon = Text.IndexOf((byte)':');
            TagName = colon < 0 ? Text : Text[..colon];
            HasValue = colon >= 0;
            Value = colon < 0 ? default : Text[(colon + 1)..];
            Tag = HlsTags.Identify(TagName);
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

    /// <summary>For a tag: its name with the leading <c>#</c>, e.g. <c>#EXT-X-MAP</c>.</summary>
    public ReadOnlySpan<byte> TagName { get; }

    /// <summary>For a tag: the known tag it is, or <see cref="HlsTag.Unknown"/>.</summary>
    public HlsTag Tag { get; }

    /// <summary>For a tag: whether it has a <c>:</c> and so a value (possibly empty).</summary>
    public bool HasValue { get; }

    /// <summary>For a tag: what follows the first <c>:</c> (a number, an attribute list, a date...).</summary>
    public ReadOnlySpan<byte> Value { get; }

    /// <summary>Reads the value as an attribute list (RFC 8216 §4.2).</summary>
    public AttributeListReader Attributes() => new(Value);
}
