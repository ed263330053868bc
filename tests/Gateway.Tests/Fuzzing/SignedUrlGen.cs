using System.Globalization;
using System.Net;
using CsCheck;
using HlsGateway.Access;

namespace HlsGateway.Tests.Fuzzing;

/// <summary>Inputs of one signed URL, as a signer would choose them.</summary>
internal sealed record SignedUrl(string Path, long Exp, string Kid, string? Acl, string? Ip, IPAddress Client, string Extra)
{
    public string ExpText => Exp.ToString(CultureInfo.InvariantCulture);

    /// <summary>The signed target exactly as the gateway's signer (<see cref="UrlSignature.BuildQuery"/>) writes it, plus unrelated parameters.</summary>
    public string Target => Path + "?" + Extra + UrlSignature.BuildQuery(FuzzFixture.Key(Kid), Kid, Exp, Path, Acl, Ip);

    public override string ToString() => $"{Target} (client {Client})";
}

/// <summary>Generators for the signed-URL fuzz tests: valid signing inputs and textual mutations of signed targets.</summary>
internal static class SignedUrlGen
{
    private const string SegmentChars = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.~!$'()*+,;=:@";

    private static readonly Gen<string> Segment = Gen.Frequency(
        (10, PlaylistGen.Str(SegmentChars, 1, 12).Where(s => s.Trim('.').Length > 0)),
        (1, Gen.OneOf("a%20b", "caf%C3%A9", "%41", "...", "x.m3u8", "seg-001.ts")));

    /// <summary>A canonical request path: /hls/&lt;origin&gt;/&lt;1-4 segments&gt;.</summary>
    public static readonly Gen<string> Path = Gen.Select(Gen.OneOf("news", "sport", "a-b_1"), Segment.Array[1, 4],
        (origin, segments) => "/hls/" + origin + "/" + string.Join('/', segments));

    private static readonly Gen<(string? Text, IPAddress Client)> Ip = Gen.Frequency(
        (3, Gen.Const<(string?, IPAddress)>((null, IPAddress.Loopback))),
        (2, Gen.UInt.Select(v => { var a = new IPAddress(BitConverter.GetBytes(v)); return ((string?)a.ToString(), a); })),
        (2, Gen.Byte.Array[16].Select(b => { var a = new IPAddress(b); return ((string?)a.ToString(), a); })),
        (1, Gen.UInt.Select(v => { var a = new IPAddress(BitConverter.GetBytes(v)); return ((string?)a.MapToIPv6().ToString(), a); })),
        (1, Gen.UInt.Select(v => { var a = new IPAddress(BitConverter.GetBytes(v)); return ((string?)a.ToString(), a.MapToIPv6()); })));

    private static readonly Gen<string> Extra = Gen.Frequency(
        (4, Gen.Const(string.Empty)),
        (1, Gen.OneOf("token=abc&", "a=1&b=2&", "EXP=1&", "sig2=x&", "x=%2F&", "&", "expires=1&")));

    public static readonly Gen<SignedUrl> Valid = Gen.Select(Path, Gen.Long[0, 999_999_999_999], Gen.Int[0, 2], Gen.Int[0, 5], Ip, Extra,
        (path, exp, kid, aclDepth, ip, extra) =>
        {
            // acl: none, or a prefix of the path that ends in '/': "/hls/", "/hls/news/", ...
            string? acl = null;
            if (aclDepth > 0)
            {
                var slashes = path.Select((c, i) => (c, i)).Where(t => t.c == '/').Select(t => t.i).ToArray();
                acl = path[..(slashes[Math.Min(aclDepth, slashes.Length - 1)] + 1)];
            }
            return new SignedUrl(path, exp, FuzzFixture.Kids[kid], acl, ip.Text, ip.Client, extra);
        });

    internal enum Field { Path, Exp, Kid, Acl, Ip, Sig }

    /// <summary>Changes one signed field (or the signature) and returns the new target; the result must not validate.</summary>
    public static string MutateField(SignedUrl url, Field field, int arg)
    {
        var target = url.Target;
        var q = target.IndexOf('?');
        var query = target[(q + 1)..];
        switch (field)
        {
            case Field.Path when url.Acl is null:
                var path = (arg % 3) switch { 0 => url.Path + "x", 1 => url.Path[..^1] + (url.Path[^1] == 'a' ? 'b' : 'a'), _ => url.Path + "/y" };
                return path + target[q..];
            case Field.Path: // with an acl the path may move freely below it: move it out instead
                return "/elsewhere/" + url.Path[(url.Path.LastIndexOf('/') + 1)..] + target[q..];
            case Field.Exp:
                var exp = (arg % 3) switch { 0 => (url.Exp + 1).ToString(CultureInfo.InvariantCulture), 1 => "0" + url.ExpText, _ => (url.Exp + 86400).ToString(CultureInfo.InvariantCulture) };
                return target[..(q + 1)] + Replace(query, "exp", exp);
            case Field.Kid:
                var other = FuzzFixture.Kids[(Array.IndexOf(FuzzFixture.Kids, url.Kid) + 1 + arg % 2) % FuzzFixture.Kids.Length];
                return target[..(q + 1)] + Replace(query, "kid", arg % 5 == 4 ? "unknown-kid" : other);
            case Field.Acl when url.Acl is null:
                return target[..(q + 1)] + "acl=" + url.Path[..(url.Path.LastIndexOf('/') + 1)] + "&" + query; // widen an exact-path signature to its directory
            case Field.Acl:
                var acl = (arg % 3) switch
                {
                    0 => null, // drop it: the signature then covers the path, which it was not computed over
                    1 => url.Acl == "/hls/" ? "/" : url.Acl[..(url.Acl.TrimEnd('/').LastIndexOf('/') + 1)], // one level wider
                    _ => url.Acl + "sub/",
                };
                return target[..(q + 1)] + Replace(query, "acl", acl);
            case Field.Ip:
                var ip = url.Ip is null ? url.Client.ToString() : (arg % 2 == 0 ? null : (url.Client.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork ? "198.51.100.1" : "2001:db8::dead"));
                return target[..(q + 1)] + (url.Ip is null ? "ip=" + UrlSignature.EscapeValue(ip!) + "&" + query : Replace(query, "ip", ip is null ? null : UrlSignature.EscapeValue(ip)));
            default:
                var sig = query[(query.LastIndexOf("sig=", StringComparison.Ordinal) + 4)..];
                var mac = System.Buffers.Text.Base64Url.DecodeFromChars(sig);
                mac[arg % mac.Length] ^= (byte)(1 << (arg % 8));
                return target[..(q + 1)] + Replace(query, "sig", System.Buffers.Text.Base64Url.EncodeToString(mac));
        }
    }

    /// <summary>Sets (or with null, removes) the value of the first <paramref name="name"/> parameter.</summary>
    public static string Replace(string query, string name, string? value)
    {
        var pairs = query.Split('&').ToList();
        var i = pairs.FindIndex(p => p.StartsWith(name + "=", StringComparison.Ordinal));
        if (value is null)
        {
            pairs.RemoveAt(i);
        }
        else
        {
            pairs[i] = name + "=" + value;
        }
        return string.Join('&', pairs);
    }

    // ---- textual mutations of a signed target --------------------------------------------------------

    internal enum Op
    {
        Duplicate, PercentEncode, BadPercent, HugeExp, BadSig, Remove, Shuffle, UpperName, EmptyValue, NoEquals, Separators, LongValue, InsertChar, PathTrick, NonAscii,
    }

    internal readonly record struct Mutation(Op Op, int A, int B);

    private static readonly string[] Exps =
    [
        "99999999999999999999", "999999999999", "9999999999999", "1e10", "-5", "+5", " 5", "5 ", "0x10", "", "1700000000.0", "\u0661\u0667", "0000000000001700000000",
        "%31%37", "9223372036854775807", "18446744073709551616", "00", "NaN",
    ];

    private static readonly string[] Sigs =
    [
        "", "=", "A", new string('A', 42), new string('A', 44), new string('A', 43), new string('_', 43), new string('-', 43), "AAAA====", new string('A', 42) + "=",
        new string('A', 41) + "==", new string('+', 43), new string('/', 43), new string('A', 42) + "\u00e9", new string('A', 42) + "%41", new string('A', 10_000), "%", "%%",
    ];

    private static readonly string[] BadEscapes = ["%", "%G", "%4", "%zz", "%%", "%C3%A9", "%00", "%0A", "%0D%0A", "%7F", "%80", "%FF", "%2", "%%41", "%u0041", "%E2%80%A8"];

    private static readonly string[] PathTricks = ["/../", "/%2e%2e/", "/%2E%2e/", "/./", "//", "%2f", "%2F", "\\", "%5c", "%00", "%25", "/.%2e/", "\u0000", "\t", "/..", "/.", "#", "%23", "%3F"];

    private static readonly Gen<Mutation> MutationGen = Gen.Select(Gen.Enum<Op>(), Gen.Int[0, 100_000], Gen.Int[0, 100_000], (o, a, b) => new Mutation(o, a, b));

    /// <summary>A signed URL plus 1-6 textual mutations of its target.</summary>
    public static readonly Gen<(SignedUrl Url, string Target)> Mutated = Gen.Select(Valid, MutationGen.Array[1, 6], (url, ops) => (url, Apply(url.Target, ops)));

    public static string Apply(string target, Mutation[] ops)
    {
        foreach (var m in ops)
        {
            var q = target.IndexOf('?');
            var path = q < 0 ? target : target[..q];
            var query = q < 0 ? string.Empty : target[(q + 1)..];
            var pairs = query.Split('&').ToList();
            var i = m.A % pairs.Count;
            var pair = pairs[i];
            var eq = pair.IndexOf('=');
            var name = eq < 0 ? pair : pair[..eq];
            switch (m.Op)
            {
                case Op.Duplicate:
                    pairs.Insert(m.B % (pairs.Count + 1), m.B % 2 == 0 ? pair : name + "=" + pairs[m.B % pairs.Count].Split('=').Last());
                    break;
                case Op.PercentEncode:
                    if (pair.Length > 0)
                    {
                        var k = m.B % pair.Length;
                        var hex = ((int)pair[k]).ToString(m.A % 2 == 0 ? "X2" : "x2", CultureInfo.InvariantCulture);
                        pairs[i] = pair[..k] + "%" + hex + pair[(k + 1)..];
                    }
                    break;
                case Op.BadPercent:
                    pairs[i] = pair.Insert(m.B % (pair.Length + 1), BadEscapes[m.B % BadEscapes.Length]);
                    break;
                case Op.HugeExp:
                    pairs[i] = "exp=" + Exps[m.B % Exps.Length];
                    break;
                case Op.BadSig:
                    pairs[i] = "sig=" + Sigs[m.B % Sigs.Length];
                    break;
                case Op.Remove:
                    pairs.RemoveAt(i);
                    break;
                case Op.Shuffle:
                    var j = m.B % pairs.Count;
                    (pairs[i], pairs[j]) = (pairs[j], pairs[i]);
                    break;
                case Op.UpperName:
                    pairs[i] = name.ToUpperInvariant() + pair[name.Length..];
                    break;
                case Op.EmptyValue:
                    pairs[i] = name + "=";
                    break;
                case Op.NoEquals:
                    pairs[i] = name;
                    break;
                case Op.Separators:
                    pairs[i] = (m.B % 4) switch { 0 => pair.Replace('=', ';'), 1 => pair + ";x=1", 2 => "&" + pair + "&", _ => pair + "?" + pair };
                    break;
                case Op.LongValue:
                    pairs[i] = name + "=" + (m.B % 2 == 0 ? "/" + new string('a', 1000 + m.B % 20_000) + "/" : new string('%', 1 + m.B % 5000));
                    break;
                case Op.InsertChar:
                    pairs[i] = pair.Insert(m.B % (pair.Length + 1), ((char)(m.A % 0x3000)).ToString());
                    break;
                case Op.PathTrick:
                    var at = path.Length == 0 ? 0 : m.B % (path.Length + 1);
                    path = path.Insert(at, PathTricks[m.A % PathTricks.Length]);
                    break;
                case Op.NonAscii:
                    pairs[i] = pair + (m.B % 3) switch { 0 => "\u00e9", 1 => "\ud83d\ude00", _ => "\ud800" };
                    break;
            }
            target = path + (q < 0 && pairs.Count == 1 && pairs[0].Length == 0 ? string.Empty : "?" + string.Join('&', pairs));
        }
        return target;
    }
}
