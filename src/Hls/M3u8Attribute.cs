namespace HlsGateway.Hls;

/// <summary>One <c>NAME=value</c> pair of an attribute list; views into the line.</summary>
public readonly ref struct M3u8Attribute
{
    internal M3u8Attribute(ReadOnlySpan<byte> name, ReadOnlySpan<byte> value, bool quoted, int valueStart)
    {
        Name = name;
        Value = value;
        IsQuoted = quoted;
        ValueStart = valueStart;
    }

    public ReadOnlySpan<byte> Name { get; }

    /// <summary>The value; for a quoted string, what is between the quotes.</summary>
    public ReadOnlySpan<byte> Value { get; }

    public bool IsQuoted { get; }

    /// <summary>Where <see cref="Value"/> starts in the attribute list (for writers that replace it).</summary>
    public int ValueStart { get; }

    /// <summary>True when the name is <paramref name="name"/> (attribute names are case-sensitive, §4.2).</summary>
    public bool Is(ReadOnlySpan<byte> name) => Name.SequenceEqual(name);

    /// <summary>The value as a string (UTF-8).</summary>
    public string ValueText() => System.Text.Encoding.UTF8.GetString(Value);
}
