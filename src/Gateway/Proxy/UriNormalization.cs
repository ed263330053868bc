namespace HlsGateway.Proxy;

/// <summary>
/// RFC 3986 §6.2.2 normalisation of a request path, so one object has one spelling: percent-encoded unreserved
/// characters (ALPHA, DIGIT, '-', '.', '_', '~') are decoded (§6.2.2.2) and the hex digits of the remaining escapes
/// are upper-cased (§6.2.2.1). The signature check, the cache key and the origin URL all use the normalised path.
/// Run it after <see cref="HlsPathParser.IsSafePath"/>: that check already refuses encoded dot segments and
/// separators, and decoding an unreserved character cannot create either.
/// </summary>
internal static class UriNormalization
{
    /// <summary>The normalised path; the same string when it has no escape (the common case: no allocation).</summary>
    public static string NormalizePath(string path) =>
        !path.Contains('%') ? path : Normalize(path.AsSpan());

    /// <summary>The normalised span as a new string (callers check for '%' first).</summary>
    public static string Normalize(ReadOnlySpan<char> path)
    {
        if (!path.Contains('%'))
        {
            return path.ToString();
        }
        Span<char> buffer = path.Length <= 512 ? stackalloc char[path.Length] : new char[path.Length];
        return buffer[..Normalize(path, buffer)].ToString();
    }

    /// <summary>Writes the normalised <paramref name="path"/> into <paramref name="destination"/> (at least as long); returns the length.</summary>
    public static int Normalize(ReadOnlySpan<char> path, Span<char> destination)
    {
        var n = 0;
        for (var i = 0; i < path.Length; i++)
        {
            var c = path[i];
            if (c == '%' && i + 2 < path.Length && char.IsAsciiHexDigit(path[i + 1]) && char.IsAsciiHexDigit(path[i + 2]))
            {
                var decoded = (char)((Hex(path[i + 1]) << 4) | Hex(path[i + 2]));
                if (IsUnreserved(decoded))
                {
                    destination[n++] = decoded;
                }
                else
                {
                    destination[n++] = '%';
                    destination[n++] = char.ToUpperInvariant(path[i + 1]);
                    destination[n++] = char.ToUpperInvariant(path[i + 2]);
                }
                i += 2;
            }
            else
            {
                destination[n++] = c;
            }
        }
        return n;
    }

    public static bool IsUnreserved(char c) => char.IsAsciiLetterOrDigit(c) || c is '-' or '.' or '_' or '~';

    private static int Hex(char c) => c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10;
}
