using System.Buffers;
using System.Buffers.Text;
using System.Net;
using System.Security.Cryptography;
using HlsGateway.Proxy;

namespace HlsGateway.Access;

/// <summary>
/// Checks a request target against the signing contract (see <see cref="UrlSignature"/>). Works on the raw
/// request target, the same text <see cref="HlsPathParser"/> turns into the upstream URL, so the signed path
/// is exactly the fetched path. Allocation-free unless a playlist's parameters are captured for the rewriter.
/// </summary>
internal static class SignatureValidator
{
    private const int MaxExpDigits = 12;
    private const int MaxAclChars = 4096;
    private const int MaxIpChars = 64;

    private struct Params
    {
        public Range Exp, Kid, Acl, Ip, Sig;
        public int Seen;
    }

    private const int ExpBit = 1, KidBit = 2, AclBit = 4, IpBit = 8, SigBit = 16;

    /// <summary>
    /// Validates <paramref name="rawTarget"/> (path + query as sent). <paramref name="capture"/>: on success,
    /// also return the parameters as a <see cref="SignedRequest"/> (allocates; playlists only).
    /// </summary>
    public static SignatureStatus Validate(ReadOnlySpan<char> rawTarget, IPAddress? client, long nowUnixMs, AccessSnapshot snapshot, bool capture, out SignedRequest? signed)
    {
        signed = null;
        var q = rawTarget.IndexOf('?');
        if (q < 0)
        {
            return SignatureStatus.Missing;
        }
        var path = rawTarget[..q];
        var query = rawTarget[(q + 1)..];
        char[]? rented = null;
        // sized to the query (zeroed on every call: a fixed 1024-char buffer cost a 2 KB memset per request)
        var buffer = query.Length <= 512 ? stackalloc char[query.Length] : (rented = ArrayPool<char>.Shared.Rent(query.Length));
        try
        {
            var p = default(Params);
            if (!ParseQuery(query, buffer, ref p))
            {
                return SignatureStatus.Malformed;
            }
            if (p.Seen == 0)
            {
                return SignatureStatus.Missing;
            }
            if ((p.Seen & (ExpBit | KidBit | SigBit)) != (ExpBit | KidBit | SigBit))
            {
                return SignatureStatus.Malformed;
            }
            var expText = buffer[p.Exp];
            var kid = buffer[p.Kid];
            var sigText = buffer[p.Sig];
            var acl = (p.Seen & AclBit) != 0 ? buffer[p.Acl] : default;
            var ipText = (p.Seen & IpBit) != 0 ? buffer[p.Ip] : default;

            if (!TryParseExp(expText, out var exp) || !AccessOptionsValidator.IsValidKid(kid))
            {
                return SignatureStatus.Malformed;
            }
            Span<byte> sig = stackalloc byte[UrlSignature.MacBytes];
            if (sigText.Length != UrlSignature.SigChars || sigText.IndexOfAny('+', '/', '=') >= 0 ||
                Base64Url.DecodeFromChars(sigText, sig, out _, out var sigLength) != OperationStatus.Done || sigLength != UrlSignature.MacBytes)
            {
                return SignatureStatus.Malformed;
            }
            if ((p.Seen & AclBit) != 0 && (acl.Length < 1 || acl.Length > MaxAclChars || acl[0] != '/' || acl[^1] != '/' || HasControl(acl)))
            {
                return SignatureStatus.Malformed;
            }
            if ((p.Seen & IpBit) != 0 && (ipText.IsEmpty || ipText.Length > MaxIpChars))
            {
                return SignatureStatus.Malformed;
            }
            if (path.Length < 2 || path[0] != '/' || !HlsPathParser.IsSafePath(path[1..]))
            {
                return SignatureStatus.UnsafePath;
            }
            if (!snapshot.TryGetKey(kid, out var key))
            {
                return SignatureStatus.UnknownKey;
            }

            // RFC 3986 6.2.2: the signature covers the normalised path (%61 is a), as the cache key and the origin URL do,
            // so either spelling of one object verifies with one signature and shares one cache entry
            var normalized = path.Contains('%') ? (path.Length <= 512 ? stackalloc char[path.Length] : new char[path.Length]) : Span<char>.Empty;
            ReadOnlySpan<char> canonical = normalized.IsEmpty ? path : normalized[..UriNormalization.Normalize(path, normalized)];
            // the acl likewise (the captured SignedRequest keeps it as sent: the signer normalises it again)
            var aclNormalized = acl.Contains('%') ? (acl.Length <= 512 ? stackalloc char[acl.Length] : new char[acl.Length]) : Span<char>.Empty;
            ReadOnlySpan<char> aclCanonical = aclNormalized.IsEmpty ? acl : aclNormalized[..UriNormalization.Normalize(acl, aclNormalized)];

            var scope = (p.Seen & AclBit) != 0 ? aclCanonical : canonical;
            var verified = VerifiedSignatureCache.Find(sig, key, scope, expText, kid, ipText);
            if (verified is null)
            {
                Span<byte> mac = stackalloc byte[UrlSignature.MacBytes];
                UrlSignature.ComputeMac(key, scope, expText, kid, ipText, mac);
                if (!CryptographicOperations.FixedTimeEquals(mac, sig))
                {
                    return SignatureStatus.BadSignature;
                }
                verified = VerifiedSignatureCache.AddVerified(sig, key, scope, expText, kid, ipText);
            }
            if (nowUnixMs >= exp * 1000 + snapshot.ClockSkewMilliseconds)
            {
                return SignatureStatus.Expired;
            }
            if ((p.Seen & IpBit) != 0)
            {
                if (!IpKey.TryParse(ipText, out var boundIp))
                {
                    return SignatureStatus.Malformed;
                }
                if (!IpKey.TryGet(client, out var clientIp) || clientIp != boundIp)
                {
                    return SignatureStatus.IpMismatch;
                }
            }
            if ((p.Seen & AclBit) != 0 && !canonical.StartsWith(aclCanonical, StringComparison.Ordinal))
            {
                return SignatureStatus.OutsideScope;
            }
            if (capture)
            {
                // one SignedRequest per verified token, shared by its requests (it is immutable)
                signed = verified.Signed ??= new SignedRequest(exp, expText.ToString(), kid.ToString(),
                    (p.Seen & AclBit) != 0 ? acl.ToString() : null, (p.Seen & IpBit) != 0 ? ipText.ToString() : null);
            }
            return SignatureStatus.Valid;
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<char>.Shared.Return(rented);
            }
        }
    }

    /// <summary>True when the query has any of the scheme's parameters (a cheap pre-check: no decoding).</summary>
    public static bool HasSignatureParams(ReadOnlySpan<char> rawTarget)
    {
        var q = rawTarget.IndexOf('?');
        if (q < 0)
        {
            return false;
        }
        var query = rawTarget[(q + 1)..];
        foreach (var range in query.Split('&'))
        {
            if (Which(NameOf(query[range])) != 0)
            {
                return true;
            }
        }
        return false;
    }

    /// <summary>Decodes the scheme's parameters into <paramref name="buffer"/>; false on duplicates, bad escapes or oversized values.</summary>
    private static bool ParseQuery(ReadOnlySpan<char> query, Span<char> buffer, ref Params p)
    {
        var pos = 0;
        foreach (var range in query.Split('&'))
        {
            var pair = query[range];
            var name = NameOf(pair);
            var bit = Which(name);
            if (bit == 0)
            {
                continue;
            }
            if ((p.Seen & bit) != 0)
            {
                return false; // duplicate: which one would the signer have meant?
            }
            p.Seen |= bit;
            var value = name.Length < pair.Length ? pair[(name.Length + 1)..] : default;
            if (value.Length > MaxAclChars * 3 || !TryUnescape(value, buffer[pos..], out var written))
            {
                return false;
            }
            var r = new Range(pos, pos + written);
            pos += written;
            switch (bit)
            {
                case ExpBit: p.Exp = r; break;
                case KidBit: p.Kid = r; break;
                case AclBit: p.Acl = r; break;
                case IpBit: p.Ip = r; break;
                default: p.Sig = r; break;
            }
        }
        return true;
    }

    private static ReadOnlySpan<char> NameOf(ReadOnlySpan<char> pair)
    {
        var eq = pair.IndexOf('=');
        return eq < 0 ? pair : pair[..eq];
    }

    private static int Which(ReadOnlySpan<char> name) => name switch
    {
        UrlSignature.Exp => ExpBit,
        UrlSignature.Kid => KidBit,
        UrlSignature.Acl => AclBit,
        UrlSignature.Ip => IpBit,
        UrlSignature.Sig => SigBit,
        _ => 0,
    };

    /// <summary>RFC 3986 percent-decoding ('+' is a literal plus). Only ASCII results; anything else is malformed.</summary>
    private static bool TryUnescape(ReadOnlySpan<char> value, Span<char> destination, out int written)
    {
        written = 0;
        for (var i = 0; i < value.Length; i++)
        {
            var c = value[i];
            if (c == '%')
            {
                if (i + 2 >= value.Length || !char.IsAsciiHexDigit(value[i + 1]) || !char.IsAsciiHexDigit(value[i + 2]))
                {
                    return false;
                }
                c = (char)((HexValue(value[i + 1]) << 4) | HexValue(value[i + 2]));
                i += 2;
            }
            if (c > 0x7F || written >= destination.Length)
            {
                return false;
            }
            destination[written++] = c;
        }
        return true;
    }

    private static int HexValue(char c) => c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10;

    private static bool TryParseExp(ReadOnlySpan<char> text, out long exp)
    {
        exp = 0;
        if (text.IsEmpty || text.Length > MaxExpDigits)
        {
            return false;
        }
        foreach (var c in text)
        {
            if (!char.IsAsciiDigit(c))
            {
                return false;
            }
            exp = exp * 10 + (c - '0');
        }
        return true;
    }

    private static bool HasControl(ReadOnlySpan<char> s)
    {
        foreach (var c in s)
        {
            if (char.IsControl(c))
            {
                return true;
            }
        }
        return false;
    }
}
