using System.Text;
using CsCheck;

namespace HlsGateway.Tests.Fuzzing;

/// <summary>One generated playlist line: <c>Prefix + Uri + Suffix</c>, so a test knows exactly where the URI sits.</summary>
internal sealed record GenLine(string Prefix, string? Uri, string Suffix, bool Dropped = false)
{
    public string Text => Prefix + Uri + Suffix;

    public override string ToString() => Text;
}

/// <summary>A valid playlist (RFC 8216 shapes) at <see cref="Path"/> below the origin, with its line ending and BOM choice.</summary>
internal sealed record GenPlaylist(string Path, GenLine[] Lines, string Newline, bool Bom)
{
    public byte[] ToBytes()
    {
        var text = string.Join(Newline, Lines.Select(l => l.Text)) + Newline;
        var bytes = Encoding.UTF8.GetBytes(text);
        return Bom ? [0xEF, 0xBB, 0xBF, .. bytes] : bytes;
    }

    public override string ToString() => $"{Path} (bom={Bom}, nl={(Newline == "\n" ? "LF" : "CRLF")}):\n" + string.Join("\n", Lines.Select(l => l.Text));
}

/// <summary>
/// Generators for the playlist fuzz tests: valid playlists built from every URI-bearing tag with URIs of every
/// kind (simple relative, dot segments, root-relative, absolute on either origin, foreign hosts, escapes,
/// non-ASCII, fragments), and structure-aware mutations of them (line edits, corrupt attributes, huge numbers,
/// non-UTF-8 bytes, very long lines, CR/LF mixes, BOMs).
/// </summary>
internal static class PlaylistGen
{
    /// <summary>Base URL of the playlist's own origin ("news") and of a second configured origin ("other").</summary>
    public const string NewsBase = "http://127.0.0.1:9/base";
    public const string OtherBase = "https://cdn.example.net:8443/x";

    /// <summary>A string of <paramref name="min"/>..<paramref name="max"/> characters drawn from <paramref name="chars"/>.</summary>
    public static Gen<string> Str(string chars, int min, int max) => Gen.Char[chars].Array[min, max].Select(a => new string(a));

    private const string NameChars = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_~";

    private static readonly Gen<string> Name = Gen.Frequency(
        (20, Str(NameChars, 1, 10)),
        (2, Gen.OneOf("seg.1.ts", "...", "a..b", ".hidden", "x.", "%41b", "a%20b", "caf%C3%A9", "caf\u00e9", "\u4e2d\u6587", "a+b", "a=b", "a;b", "a,b", "a@b", "a!$'()*", "a:b")));

    private static readonly Gen<string> Ext = Gen.OneOf(".ts", ".m4s", ".m3u8", ".mp4", ".key", ".vtt", ".aac", string.Empty);

    /// <summary>1-4 path segments, the last with an extension.</summary>
    public static readonly Gen<string> RelPath = Gen.Select(Name.Array[0, 3], Name, Ext, (dirs, file, ext) =>
        dirs.Length == 0 ? file + ext : string.Join('/', dirs) + "/" + file + ext);

    private static readonly Gen<string> QueryPair = Gen.Select(
        Gen.OneOf("a", "b", "token", "x-y", "exp", "sig", "kid", "acl", "ip", "EXP", "Sig"),
        Str("abcXYZ0129-_.~%2F/:", 0, 8),
        (n, v) => n + "=" + v);

    public static readonly Gen<string> Query = Gen.Frequency(
        (4, Gen.Const(string.Empty)),
        (3, QueryPair.Array[1, 3].Select(p => "?" + string.Join('&', p))));

    /// <summary>Every kind of reference a playlist may hold; expected mappings are computed by the test (RFC 3986 resolution).</summary>
    public static readonly Gen<string> Uri = Gen.Frequency(
        (12, Gen.Select(RelPath, Query, (p, q) => p + q)),
        (1, Gen.Select(RelPath, Query, (p, q) => "./" + p + q)),
        (1, RelPath.Select(p => "../" + p)),
        (1, RelPath.Select(p => "a/../" + p)),
        (1, RelPath.Select(p => "../../../" + p)),
        (2, Gen.Select(RelPath, Query, (p, q) => "/base/" + p + q)),
        (1, RelPath.Select(p => "/" + p)),
        (2, Gen.Select(RelPath, Query, (p, q) => NewsBase + "/" + p + q)),
        (1, RelPath.Select(p => "HTTP://127.0.0.1:9/base/" + p)),
        (2, Gen.Select(RelPath, Query, (p, q) => OtherBase + "/" + p + q)),
        (1, RelPath.Select(p => "https://CDN.Example.NET:8443/x/" + p)),
        (1, RelPath.Select(p => "http://evil.example.com/" + p)),
        (1, RelPath.Select(p => "//evil.example.com/base/" + p)),
        (1, RelPath.Select(p => "https://127.0.0.1:9/base/" + p)),
        (1, RelPath.Select(p => "http://127.0.0.1:10/base/" + p)),
        (1, RelPath.Select(p => "http://127.0.0.1:9/basement/" + p)),
        (1, RelPath.Select(p => "ftp://127.0.0.1:9/base/" + p)),
        (1, RelPath.Select(p => p + "#t=10")),
        (1, RelPath.Select(p => "http://127.0.0.1:9/base/" + p + "?a=1#frag")));

    /// <summary>Key URIs that are not fetched through anyone and must be passed through untouched.</summary>
    private static readonly Gen<string> OpaqueKeyUri = Gen.OneOf("skd://key-id-123", "skd://a/b?c=d", "data:text/plain;base64,AAAA", "DATA:,x");

    private static readonly Gen<int> Small = Gen.Int[0, 100_000];

    private static readonly Gen<string> Title = Gen.Frequency(
        (6, Gen.Const(string.Empty)),
        (2, Str("abc XYZ,=:\"-", 0, 20)),
        (1, Gen.OneOf("URI=\"http://evil.example.com/x.ts\"", "tvg-logo=\"http://evil.example.com/l.png\"", "caf\u00e9 \u2014 live")));

    private static Gen<GenLine[]> One(Gen<GenLine> line) => line.Select(l => new[] { l });

    private static GenLine Plain(string text) => new(text, null, string.Empty);

    private static readonly Gen<GenLine[]> Segment = Gen.Select(Gen.Int[1, 12000], Title, Uri, (ms, title, uri) => new[]
    {
        Plain(FormattableString.Invariant($"#EXTINF:{ms / 1000.0:0.000},{title}")),
        new GenLine(string.Empty, uri, string.Empty),
    });

    private static readonly Gen<GenLine[]> MediaTag = Gen.OneOf(
        Segment,
        Segment,
        Segment,
        One(Gen.Select(Uri, Gen.Int[0, 1 << 30], (u, iv) => new GenLine("#EXT-X-KEY:METHOD=AES-128,URI=\"", u, FormattableString.Invariant($"\",IV=0x{iv:X32}")))),
        One(OpaqueKeyUri.Select(u => new GenLine("#EXT-X-KEY:METHOD=SAMPLE-AES,URI=\"", u, "\",KEYFORMAT=\"com.apple.streamingkeydelivery\",KEYFORMATVERSIONS=\"1\""))),
        One(Gen.Select(Uri, Small, Small, (u, n, o) => new GenLine("#EXT-X-MAP:URI=\"", u, FormattableString.Invariant($"\",BYTERANGE=\"{n}@{o}\"")))),
        One(Uri.Select(u => new GenLine("#EXT-X-PART:DURATION=1.0,URI=\"", u, "\",INDEPENDENT=YES"))),
        One(Uri.Select(u => new GenLine("#EXT-X-PRELOAD-HINT:TYPE=PART,URI=\"", u, "\""))),
        One(Gen.Select(Uri, Small, (u, n) => new GenLine("#EXT-X-RENDITION-REPORT:URI=\"", u, FormattableString.Invariant($"\",LAST-MSN={n},LAST-PART=1")))),
        One(Gen.Select(Uri, Small, (u, n) => new GenLine(FormattableString.Invariant($"#EXT-X-DATERANGE:ID=\"ad{n}\",START-DATE=\"2024-01-01T00:00:00.000Z\",CLASS=\"com.apple.hls.interstitial\",X-ASSET-URI=\""), u, "\",X-RESUME-OFFSET=0"))),
        One(Gen.Select(Small, Small, (n, o) => Plain(FormattableString.Invariant($"#EXT-X-BYTERANGE:{n}@{o}")))),
        One(Gen.OneOf("#EXT-X-DISCONTINUITY", "#EXT-X-GAP", "#EXT-X-PROGRAM-DATE-TIME:2024-01-01T00:00:12.000Z", "#EXT-X-BITRATE:800", "# a comment: URI=\"http://evil.example.com/\"", "", "#EXT-X-SKIP:SKIPPED-SEGMENTS=3").Select(Plain)));

    private static readonly Gen<GenLine[]> MasterTag = Gen.OneOf(
        Gen.Select(Small, Uri, (bw, uri) => new[]
        {
            Plain(FormattableString.Invariant($"#EXT-X-STREAM-INF:BANDWIDTH={bw},CODECS=\"avc1.4d401f,mp4a.40.2\",RESOLUTION=640x360,AUDIO=\"aud\"")),
            new GenLine(string.Empty, uri, string.Empty),
        }),
        One(Gen.Select(Uri, Gen.OneOf("English", "Deutsch, Stereo", "URI=x"), (u, n) => new GenLine($"#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID=\"aud\",NAME=\"{n}\",DEFAULT=NO,URI=\"", u, "\""))),
        One(Gen.Select(Small, Uri, (bw, u) => new GenLine(FormattableString.Invariant($"#EXT-X-I-FRAME-STREAM-INF:BANDWIDTH={bw},CODECS=\"avc1.4d401f\",URI=\""), u, "\""))),
        One(Uri.Select(u => new GenLine("#EXT-X-SESSION-DATA:DATA-ID=\"com.example.title\",URI=\"", u, "\""))),
        One(Uri.Select(u => new GenLine("#EXT-X-SESSION-KEY:METHOD=AES-128,URI=\"", u, "\""))),
        One(Uri.Select(u => new GenLine("#EXT-X-CONTENT-STEERING:SERVER-URI=\"", u, "\",PATHWAY-ID=\"A\"", Dropped: true))),
        One(Gen.OneOf("#EXT-X-INDEPENDENT-SEGMENTS", "#EXT-X-MEDIA:TYPE=CLOSED-CAPTIONS,GROUP-ID=\"cc\",NAME=\"CC1\",INSTREAM-ID=\"CC1\"", "#EXT-X-START:TIME-OFFSET=-12.5").Select(Plain)));

    private static readonly Gen<string> PlaylistPath = Gen.Frequency(
        (1, Gen.Const("index.m3u8")),
        (4, Gen.Select(Name.Where(n => n.All(char.IsAscii)).Array[1, 3], n => string.Join('/', n) + "/index.m3u8"))); // as sent on the wire: ASCII

    private static GenLine[] Concat(GenLine[] head, GenLine[][] blocks, GenLine[] tail) =>
        [.. head, .. blocks.SelectMany(b => b), .. tail];

    public static readonly Gen<GenPlaylist> Media = Gen.Select(
        PlaylistPath, Gen.Int[1, 10], Gen.Int[0, 1_000_000], MediaTag.Array[0, 14], Gen.Bool, Gen.Bool, Gen.Bool,
        (path, target, seq, blocks, endList, crlf, bom) => new GenPlaylist(path, Concat(
            [Plain("#EXTM3U"), Plain("#EXT-X-VERSION:9"), Plain(FormattableString.Invariant($"#EXT-X-TARGETDURATION:{target}")), Plain(FormattableString.Invariant($"#EXT-X-MEDIA-SEQUENCE:{seq}"))],
            blocks,
            endList ? [Plain("#EXT-X-ENDLIST")] : []), crlf ? "\r\n" : "\n", bom));

    public static readonly Gen<GenPlaylist> Master = Gen.Select(
        PlaylistPath, MasterTag.Array[0, 10], Gen.Bool, Gen.Bool,
        (path, blocks, crlf, bom) => new GenPlaylist(path, Concat([Plain("#EXTM3U"), Plain("#EXT-X-VERSION:6")], blocks, []), crlf ? "\r\n" : "\n", bom));

    public static readonly Gen<GenPlaylist> Valid = Gen.OneOf(Media, Master);

    // ---- mutations -------------------------------------------------------------------------------------

    /// <summary>Lines that break parsers: dangling quotes, SSRF attempts, escapes, odd schemes, control bytes.</summary>
    private static readonly string[] Junk =
    [
        "#EXT-X-KEY:URI=\"", "#EXT-X-MAP:URI=", "#EXT-X-MAP:URI=\"\"", "URI=\"x\"", "#EXT-X-STREAM-INF:", "#EXT-X-", "#EXT-X-:", "#EXT-X-MEDIA:URI=\"a\",URI=\"b\",URI=\"c",
        "#EXT-X-MEDIA:=\"x\",=,,,URI=\"y\"", "#EXT-X-PART:URI=\"a\"\"b\"", "#EXT-X-KEY:METHOD=AES-128,URI=\"http://127.0.0.1:9/base/k.key\"",
        "#EXT-X-CONTENT-STEERING:SERVER-URI=\"http://evil.example.com/\"", "#EXTM3U", "#EXT-X-TARGETDURATION:", "#EXT-X-TARGETDURATION:NaN",
        "#EXT-X-TARGETDURATION:1e400", "#EXT-X-TARGETDURATION:-Infinity", "#EXT-X-MEDIA-SEQUENCE:99999999999999999999999999", "#EXT-X-MEDIA-SEQUENCE:-1",
        "http://[::1", "http://[::1]:9/base/x.ts", "http://evil.example.com/x", "//evil.example.com/x", "\\\\evil.example.com\\x", "/\\evil.example.com/x",
        "javascript:alert(1)", "data:text/plain,hi", "skd://x", "file:///etc/passwd", "%", "%zz", "%2e%2e/%2e%2e/x", "../../../../etc/passwd",
        "..%2f..%2fx", "a%2fb.ts", "a%00.ts", "a%252e%252e/x", "http://127.0.0.1:9/base/%2e%2e/x", "http://127.0.0.1:9/base/a/..%2f..%2fx",
        "HTTP://127.0.0.1:9/BASE/x.ts", "http://user:pw@127.0.0.1:9/base/x.ts", "http://127.0.0.1:09/base/x", "http://0x7f.1:9/base/x", "http://2130706433:9/base/x",
        "http://127.0.0.1:9@evil.example.com/base/x", "http://evil.example.com#@127.0.0.1:9/base/x", "http://127.0.0.1:9/base/x?exp=1&sig=2&kid=3&acl=/&ip=1",
        "http:x.ts", "http:/x.ts", "https:", "http://", "http:///x", "?", "?exp=1", "#", "seg.ts?a=1&&&b=2&", "seg.ts?=&=", "seg\u2028.ts", "\u00a0seg.ts",
        "seg.ts ", " seg.ts", "\tseg.ts", "se\tg.ts", "a b.ts", "a\"b.ts", "a<b>.ts", "[::1]", "x:y", "C:\\x.ts", "\u0000", "\u007f", "\ufeff#EXTM3U",
    ];

    private static readonly byte[][] BadBytes =
    [
        [0xFF], [0xFE, 0xFF], [0xC3, 0x28], [0xE2, 0x82], [0xED, 0xA0, 0x80], [0xF4, 0x90, 0x80, 0x80], [0xC0, 0xAE], [0xC0, 0xAF], [0x80],
        [0xEF, 0xBB, 0xBF], [0x00], [0x0D], [0x0A], [0x0D, 0x0D, 0x0A], [0x22], [0x2C], [0x3D], [0x3A], [0x25], [0x2F], [0x5C], [0x23], [0x3F], [0x26],
    ];

    private static readonly string[] HugeNumbers =
    [
        "99999999999999999999999999999999", "-1", "-0", "1e400", "1e-400", "NaN", "Infinity", "0x7fffffff", "9223372036854775808", "1.7976931348623157E+309",
        "00000000000000000000001", "", " ", "4.", ".5", "1,000",
    ];

    internal enum MutationKind
    {
        Delete, Duplicate, Swap, InsertJunk, CorruptByte, InsertBadBytes, Truncate, HugeNumber, LongLine, LongUri, LineEnding, Bom, Whitespace, DropQuote,
    }

    internal readonly record struct Mutation(MutationKind Kind, int Line, int Position, int Arg);

    // long lines are expensive to push through every check: rarer than the cheap edits
    private static readonly Gen<MutationKind> KindGen = Gen.Frequency(
        Enum.GetValues<MutationKind>().Select(k => (k is MutationKind.LongLine or MutationKind.LongUri ? 1 : 10, k)).ToArray());

    private static readonly Gen<Mutation> MutationGen = Gen.Select(KindGen, Gen.Int[0, 1000], Gen.Int[0, 1000], Gen.Int[0, 1000],
        (k, l, p, a) => new Mutation(k, l, p, a));

    /// <summary>A valid playlist with 1-8 structure-aware mutations applied; returns the bytes (may be invalid UTF-8).</summary>
    public static readonly Gen<byte[]> Mutated = Gen.Select(Valid, MutationGen.Array[1, 8], (p, m) => Apply(p, m));

    public static byte[] Apply(GenPlaylist playlist, Mutation[] mutations)
    {
        var lines = playlist.Lines.Select(l => Encoding.UTF8.GetBytes(l.Text)).ToList();
        var endings = Enumerable.Repeat(Encoding.ASCII.GetBytes(playlist.Newline), lines.Count).ToList();
        var bom = playlist.Bom ? 1 : 0; // 0: none, 1: UTF-8 BOM, 2: UTF-16 BOM, 3: doubled UTF-8 BOM
        foreach (var m in mutations)
        {
            if (lines.Count == 0)
            {
                lines.Add([]);
                endings.Add("\n"u8.ToArray());
            }
            var i = m.Line % lines.Count;
            var line = lines[i];
            switch (m.Kind)
            {
                case MutationKind.Delete:
                    lines.RemoveAt(i);
                    endings.RemoveAt(i);
                    break;
                case MutationKind.Duplicate:
                    lines.Insert(i, line);
                    endings.Insert(i, endings[i]);
                    break;
                case MutationKind.Swap:
                    var j = m.Arg % lines.Count;
                    (lines[i], lines[j]) = (lines[j], lines[i]);
                    break;
                case MutationKind.InsertJunk:
                    lines.Insert(i, Encoding.UTF8.GetBytes(Junk[m.Arg % Junk.Length]));
                    endings.Insert(i, "\n"u8.ToArray());
                    break;
                case MutationKind.CorruptByte:
                    if (line.Length > 0)
                    {
                        var copy = (byte[])line.Clone();
                        copy[m.Position % copy.Length] = (byte)m.Arg;
                        lines[i] = copy;
                    }
                    break;
                case MutationKind.InsertBadBytes:
                    lines[i] = Insert(line, m.Position, BadBytes[m.Arg % BadBytes.Length]);
                    break;
                case MutationKind.Truncate:
                    lines[i] = line[..(line.Length == 0 ? 0 : m.Position % line.Length)];
                    break;
                case MutationKind.HugeNumber:
                    lines[i] = ReplaceDigits(line, m.Position, Encoding.ASCII.GetBytes(HugeNumbers[m.Arg % HugeNumbers.Length]));
                    break;
                case MutationKind.LongLine:
                    // 4 KB - 68 KB lines: a repeated fragment of the line itself (or of a URI-ish filler)
                    var unit = line.Length > 0 ? line : "seg"u8.ToArray();
                    var target = 4096 + (m.Arg * 64);
                    var big = new byte[target];
                    for (var k = 0; k < big.Length; k++)
                    {
                        big[k] = unit[k % unit.Length];
                    }
                    lines[i] = big;
                    break;
                case MutationKind.LongUri:
                    // around the rewriter's 4096-char URI limit
                    var len = 4090 + (m.Arg % 12);
                    var uri = "#EXT-X-MAP:URI=\"" + new string('a', len) + ".mp4\"";
                    lines.Insert(i, Encoding.ASCII.GetBytes(m.Position % 2 == 0 ? uri : new string('b', len) + ".ts"));
                    endings.Insert(i, "\n"u8.ToArray());
                    break;
                case MutationKind.LineEnding:
                    endings[i] = (m.Arg % 5) switch { 0 => "\r\n"u8.ToArray(), 1 => "\r"u8.ToArray(), 2 => "\n\r"u8.ToArray(), 3 => "\r\r\n"u8.ToArray(), _ => "\n\n"u8.ToArray() };
                    break;
                case MutationKind.Bom:
                    bom = m.Arg % 4;
                    if (m.Position % 3 == 0)
                    {
                        lines[i] = Insert(line, 0, [0xEF, 0xBB, 0xBF]); // a BOM in the middle of the file
                    }
                    break;
                case MutationKind.Whitespace:
                    lines[i] = m.Arg % 2 == 0 ? [.. " \t"u8, .. line, .. " \t"u8] : Insert(line, m.Position, " "u8.ToArray());
                    break;
                case MutationKind.DropQuote:
                    var q = Array.LastIndexOf(line, (byte)'"');
                    if (q >= 0)
                    {
                        lines[i] = [.. line.AsSpan(0, q), .. line.AsSpan(q + 1)];
                    }
                    break;
            }
        }
        var output = new List<byte>();
        output.AddRange(bom switch { 1 => [0xEF, 0xBB, 0xBF], 2 => [0xFF, 0xFE], 3 => [0xEF, 0xBB, 0xBF, 0xEF, 0xBB, 0xBF], _ => [] });
        for (var k = 0; k < lines.Count; k++)
        {
            output.AddRange(lines[k]);
            output.AddRange(endings[k]);
        }
        return output.ToArray();
    }

    private static byte[] Insert(byte[] line, int position, byte[] insert)
    {
        var at = line.Length == 0 ? 0 : position % (line.Length + 1);
        return [.. line.AsSpan(0, at), .. insert, .. line.AsSpan(at)];
    }

    /// <summary>Replaces the n-th run of digits (cyclic) with <paramref name="number"/>; appends it when there is none.</summary>
    private static byte[] ReplaceDigits(byte[] line, int n, byte[] number)
    {
        var runs = new List<(int Start, int End)>();
        for (var k = 0; k < line.Length; k++)
        {
            if (line[k] is >= (byte)'0' and <= (byte)'9')
            {
                var start = k;
                while (k < line.Length && line[k] is >= (byte)'0' and <= (byte)'9')
                {
                    k++;
                }
                runs.Add((start, k));
            }
        }
        if (runs.Count == 0)
        {
            return [.. line, .. number];
        }
        var (s, e) = runs[n % runs.Count];
        return [.. line.AsSpan(0, s), .. number, .. line.AsSpan(e)];
    }
}
