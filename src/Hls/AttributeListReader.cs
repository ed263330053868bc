namespace HlsGateway.Hls;

/// <summary>
/// Reads an attribute list (RFC 8216 §4.2): <c>NAME=value</c> pairs separated by commas, where a quoted string may
/// contain commas. Tolerant, because a live stream should survive an origin's odd line: names are trimmed,
/// anything between a closing quote and the next comma is skipped, and an unterminated quote ends the list
/// (<see cref="Unterminated"/>) instead of swallowing the rest of the line as a value.
/// </summary>
public ref struct AttributeListReader
{
    private readonly ReadOnlySpan<byte> _list;
    private int _i;

    public AttributeListReader(ReadOnlySpan<byte> list)
    {
        _list = list;
        _i = 0;
        Unterminated = false;
    }

    /// <summary>True once the reader stopped at a quoted value without its closing quote.</summary>
    public bool Unterminated { get; private set; }

    public bool TryRead(out M3u8Attribute attribute)
    {
        while (_i < _list.Length)
        {
            var eq = _list[_i..].IndexOf((byte)'=');
            if (eq < 0)
            {
                break;
            }
            var name = Blanks.Trim(_list.Slice(_i, eq));
            var v = _i + eq + 1;
            ReadOnlySpan<byte> value;
            bool quoted;
            int valueStart;
            if (v < _list.Length && _list[v] == (byte)'"')
            {
                var close = _list[(v + 1)..].IndexOf((byte)'"');
                if (close < 0)
                {
                    Unterminated = true;
                    break;
                }
                valueStart = v + 1;
                value = _list.Slice(valueStart, close);
                quoted = true;
                var next = _list[(valueStart + close + 1)..].IndexOf((byte)',');
                _i = next < 0 ? _list.Length : valueStart + close + 1 + next + 1;
            }
            else
            {
                var next = _list[v..].IndexOf((byte)',');
                var raw = next < 0 ? _list[v..] : _list.Slice(v, next);
                var lead = raw.Length - raw.TrimStart(" \t"u8).Length;
                value = Blanks.Trim(raw);
                valueStart = v + lead;
                quoted = false;
                _i = next < 0 ? _list.Length : v + next + 1;
            }
            if (name.IsEmpty)
            {
                continue;
            }
            attribute = new M3u8Attribute(name, value, quoted, valueStart);
            return true;
        }
        _i = _list.Length;
        attribute = default;
        return false;
    }

    /// <summary>Finds one attribute's value; false when absent.</summary>
    public static bool TryGet(ReadOnlySpan<byte> list, ReadOnlySpan<byte> name, out ReadOnlySpan<byte> value)
    {
        var reader = new AttributeListReader(list);
        while (reader.TryRead(out var a))
        {
            if (a.Is(name))
            {
                value = a.Value;
                return true;
            }
        }
        value = default;
        return false;
    }
}
