using System.Buffers;
using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;

namespace HlsGateway.Access;

/// <summary>
/// The signing scheme of ARCHITECTURE.md "Signed URLs" (a public contract; docs/signing.md has test vectors):
/// <code>
/// scope        = acl if present, else the request path
/// stringToSign = scope + "\n" + exp + "\n" + kid + "\n" + (ip or "")
/// sig          = base64url_nopad(HMAC_SHA256(key[kid], utf8(stringToSign)))
/// </code>
/// </summary>
internal static class UrlSignature
{
    public const int MacBytes = 32;

    /// <summary>base64url without padding of 32 bytes.</summary>
    public const int SigChars = 43;

    /// <summary>Query parameter names the scheme uses (the proxy strips them before forwarding).</summary>
    public const string Exp = "exp", Kid = "kid", Acl = "acl", Ip = "ip", Sig = "sig";

    /// <summary>The HMAC over the string to sign, into <paramref name="mac"/> (32 bytes). Allocation-free below 1 KB of input.</summary>
    public static void ComputeMac(ReadOnlySpan<byte> key, ReadOnlySpan<char> scope, ReadOnlySpan<char> exp, ReadOnlySpan<char> kid, ReadOnlySpan<char> ip, Span<byte> mac)
    {
        var max = Encoding.UTF8.GetMaxByteCount(scope.Length + exp.Length + kid.Length + ip.Length + 3);
        byte[]? rented = null;
        var buffer = max <= 1024 ? stackalloc byte[1024] : (rented = ArrayPool<byte>.Shared.Rent(max));
        try
        {
            var n = Encoding.UTF8.GetBytes(scope, buffer);
            buffer[n++] = (byte)'\n';
            n += Encoding.UTF8.GetBytes(exp, buffer[n..]);
            buffer[n++] = (byte)'\n';
            n += Encoding.UTF8.GetBytes(kid, buffer[n..]);
            buffer[n++] = (byte)'\n';
            n += Encoding.UTF8.GetBytes(ip, buffer[n..]);
            var hmac = KeyedHmac(key);
            hmac.AppendData(buffer[..n]);
            hmac.GetHashAndReset(mac);
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }

    // One keyed HMAC per thread, reused while the key stays the same: a one-shot HMACSHA256.HashData sets up and
    // keys a fresh OpenSSL context per call, several times the cost of the hash itself (AccessBenchmarks).
    [ThreadStatic]
    private static IncrementalHash? t_hmac;

    [ThreadStatic]
    private static byte[]? t_hmacKey;

    private static IncrementalHash KeyedHmac(ReadOnlySpan<byte> key)
    {
        var hmac = t_hmac;
        if (hmac is null || !key.SequenceEqual(t_hmacKey))
        {
            hmac?.Dispose();
            t_hmacKey = key.ToArray();
            t_hmac = hmac = IncrementalHash.CreateHMAC(HashAlgorithmName.SHA256, key);
        }
        return hmac;
    }

    /// <summary>The <c>sig</c> value for the given inputs.</summary>
    public static string Sign(ReadOnlySpan<byte> key, string scope, string exp, string kid, string? ip)
    {
        Span<byte> mac = stackalloc byte[MacBytes];
        ComputeMac(key, scope, exp, kid, ip, mac);
        return Base64Url.EncodeToString(mac);
    }

    /// <summary>
    /// The query string (no leading '?') a signed URL carries: <c>exp=..&amp;kid=..[&amp;acl=..][&amp;ip=..]&amp;sig=..</c>.
    /// <paramref name="acl"/> must end in '/'; <paramref name="path"/> is signed when there is no acl.
    /// </summary>
    public static string BuildQuery(ReadOnlySpan<byte> key, string kid, long exp, string path, string? acl, string? ip)
    {
        var expText = exp.ToString(System.Globalization.CultureInfo.InvariantCulture);
        // the verifier normalises the path the same way (Proxy/UriNormalization: %61 is a)
        var sig = Sign(key, Proxy.UriNormalization.NormalizePath(acl ?? path), expText, kid, ip);
        var sb = new StringBuilder(96 + (acl?.Length ?? 0));
        sb.Append("exp=").Append(expText).Append("&kid=").Append(EscapeValue(kid));
        if (acl is not null)
        {
            sb.Append("&acl=").Append(EscapeValue(acl));
        }
        if (ip is not null)
        {
            sb.Append("&ip=").Append(EscapeValue(ip));
        }
        return sb.Append("&sig=").Append(sig).ToString();
    }

    /// <summary>
    /// Percent-encodes a query value. '/' and ':' stay readable (legal in a query, RFC 3986 3.4); '%', '&amp;',
    /// '+', '#' and the like are encoded, so decoding yields the exact signed text.
    /// </summary>
    public static string EscapeValue(string value) =>
        Uri.EscapeDataString(value).Replace("%2F", "/", StringComparison.Ordinal).Replace("%3A", ":", StringComparison.Ordinal);
}
