using System.Text;
using Microsoft.Extensions.Primitives;

namespace HlsGateway.Access;

/// <summary>
/// Turns RFC 7239 <c>Forwarded</c> header values into the equivalent <c>X-Forwarded-For</c> list (one entry per
/// hop, left to right), so ASP.NET Core's ForwardedHeaders walks it with the same trusted-proxy rules.
/// Each hop's <c>for=</c> becomes its address (quotes, IPv6 brackets and ports removed). Anything that is not
/// an address (<c>unknown</c>, obfuscated <c>_identifiers</c>, a hop without <c>for=</c>, a syntax error)
/// becomes <c>unknown</c>: never believed as a client, and the walk stops there, so the client is the
/// nearest hop whose address is known.
/// <para>
/// The same rule for <c>X-Forwarded-For</c> (<see cref="NormalizeXForwardedFor"/>): there each entry must be a bare
/// address literal (RFC 7239 section 7.4: no port, no brackets). An entry with a port (<c>10.0.0.5:1234</c>),
/// brackets, an IPv6 zone, <c>unknown</c>, an obfuscated identifier or anything else becomes <c>unknown</c>, so
/// it is never reinterpreted as a nearby address. IPv6 zones (<c>%eth0</c>) are refused in both headers.
/// </para>
/// </summary>
internal static class ForwardedHeaderParser
{
    public const string Unknown = "unknown";

    /// <summary>The hops' client addresses as an X-Forwarded-For value; null when there is no hop at all.</summary>
    public static string? ToXForwardedFor(StringValues forwarded)
    {
        var hops = new List<string>();
        foreach (var value in forwarded)
        {
            if (value is not null)
            {
                Parse(value, hops);
            }
        }
        return hops.Count == 0 ? null : string.Join(", ", hops);
    }

    /// <summary>
    /// A trusted peer's <c>X-Forwarded-For</c> with every entry that is not a bare address replaced by
    /// <see cref="Unknown"/> (all header lines, in order); <paramref name="changed"/> tells whether any entry was.
    /// </summary>
    public static string NormalizeXForwardedFor(StringValues xff, out bool changed)
    {
        changed = false;
        var hops = new List<string>();
        foreach (var value in xff)
        {
            foreach (var raw in (value ?? string.Empty).Split(','))
            {
                var entry = raw.AsSpan().Trim(" \t");
                var address = XForwardedForAddress(entry);
                hops.Add(address ?? Unknown);
                changed |= address is null;
            }
        }
        return string.Join(", ", hops);
    }

    /// <summary>One X-Forwarded-For entry: the address when it is a bare IPv4 (four decimal octets) or IPv6 literal, else null.</summary>
    internal static string? XForwardedForAddress(ReadOnlySpan<char> entry)
    {
        if (entry.IsEmpty || entry.ContainsAny('[', ']', '%'))
        {
            return null;
        }
        if (entry.Contains(':'))
        {
            // IPv6 only: a colon in what is otherwise IPv4 is a port (10.0.0.5:1234), which this header does not carry
            return System.Net.IPAddress.TryParse(entry, out var ip) && ip.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 && IpKey.TryParse(entry, out _)
                ? entry.ToString() : null;
        }
        return entry.Contains('.') && IpKey.TryParse(entry, out _) ? entry.ToString() : null;
    }

    /// <summary>Appends one entry per forwarded-element of <paramref name="value"/> to <paramref name="hops"/>.</summary>
    public static void Parse(string value, List<string> hops)
    {
        var i = 0;
        var start = hops.Count;
        while (true)
        {
            SkipSpaces(value, ref i);
            if (i >= value.Length)
            {
                break;
            }
            if (!TryParseElement(value, ref i, out var node))
            {
                // a syntax error makes the rest of the header meaningless: one unknown hop stops the walk there
                hops.Add(Unknown);
                return;
            }
            hops.Add(node);
            SkipSpaces(value, ref i);
            if (i < value.Length)
            {
                if (value[i] != ',')
                {
                    hops.Add(Unknown);
                    return;
                }
                i++;
            }
        }
        if (hops.Count == start && value.Trim().Length > 0)
        {
            hops.Add(Unknown);
        }
    }

    /// <summary>forwarded-element = [ pair ] *( ";" [ pair ] ); <paramref name="node"/> is the for= address or <see cref="Unknown"/>.</summary>
    private static bool TryParseElement(string s, ref int i, out string node)
    {
        node = Unknown;
        var sawFor = false;
        while (true)
        {
            SkipSpaces(s, ref i);
            if (i < s.Length && s[i] != ';' && s[i] != ',')
            {
                var nameStart = i;
                while (i < s.Length && IsTokenChar(s[i]))
                {
                    i++;
                }
                if (i == nameStart || i >= s.Length || s[i] != '=')
                {
                    return false;
                }
                var name = s.AsSpan(nameStart, i - nameStart);
                i++;
                if (!TryParseValue(s, ref i, out var value))
                {
                    return false;
                }
                if (name.Equals("for", StringComparison.OrdinalIgnoreCase))
                {
                    if (sawFor)
                    {
                        return false; // two for= in one hop: which one?
                    }
                    sawFor = true;
                    node = NodeAddress(value) ?? Unknown;
                }
                SkipSpaces(s, ref i);
            }
            if (i < s.Length && s[i] == ';')
            {
                i++;
                continue;
            }
            return true; // at ',' or the end
        }
    }

    private static bool TryParseValue(string s, ref int i, out string value)
    {
        value = string.Empty;
        if (i < s.Length && s[i] == '"')
        {
            var sb = new StringBuilder();
            for (i++; i < s.Length; i++)
            {
                var c = s[i];
                if (c == '"')
                {
                    i++;
                    value = sb.ToString();
                    return true;
                }
                if (c == '\\')
                {
                    if (++i >= s.Length)
                    {
                        return false;
                    }
                    c = s[i];
                }
                if (char.IsControl(c) || c > 0x7E)
                {
                    return false;
                }
                sb.Append(c);
            }
            return false; // unterminated
        }
        var start = i;
        while (i < s.Length && IsTokenChar(s[i]))
        {
            i++;
        }
        if (i == start)
        {
            return false;
        }
        value = s[start..i];
        return true;
    }

    /// <summary>node = nodename [ ":" port ]: the address text, or null for unknown / obfuscated / invalid.</summary>
    internal static string? NodeAddress(string node)
    {
        var span = node.AsSpan();
        if (span.StartsWith("["))
        {
            var close = span.IndexOf(']');
            if (close < 0 || !IsPortSuffix(span[(close + 1)..]))
            {
                return null;
            }
            var v6 = span[1..close];
            return v6.Contains(':') && !v6.Contains('%') && IpKey.TryParse(v6, out _) ? v6.ToString() : null;
        }
        var colon = span.IndexOf(':');
        var v4 = colon < 0 ? span : span[..colon];
        if (colon >= 0 && !IsPortSuffix(span[colon..]))
        {
            return null;
        }
        return !v4.Contains(':') && v4.Contains('.') && IpKey.TryParse(v4, out _) ? v4.ToString() : null;
    }

    /// <summary>Empty, or ":" followed by a decimal port or an obfuscated port ("_abc").</summary>
    private static bool IsPortSuffix(ReadOnlySpan<char> s)
    {
        if (s.IsEmpty)
        {
            return true;
        }
        if (s[0] != ':' || s.Length < 2 || s.Length > 33)
        {
            return false;
        }
        var port = s[1..];
        if (port[0] == '_')
        {
            foreach (var c in port[1..])
            {
                if (!(char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-'))
                {
                    return false;
                }
            }
            return true;
        }
        return port.Length <= 5 && int.TryParse(port, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var p) && p <= 65535;
    }

    private static void SkipSpaces(string s, ref int i)
    {
        while (i < s.Length && (s[i] == ' ' || s[i] == '\t'))
        {
            i++;
        }
    }

    /// <summary>RFC 7230 tchar.</summary>
    private static bool IsTokenChar(char c) =>
        char.IsAsciiLetterOrDigit(c) || c is '!' or '#' or '$' or '%' or '&' or '\'' or '*' or '+' or '-' or '.' or '^' or '_' or '`' or '|' or '~';
}
