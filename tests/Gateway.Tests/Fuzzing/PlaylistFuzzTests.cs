using HlsGateway.Hls;
using System.Buffers;
using System.Net;
using System.Text;
using CsCheck;
using HlsGateway.Access;
using HlsGateway.Caching;
using HlsGateway.Playlists;
using HlsGateway.Proxy;

namespace HlsGateway.Tests.Fuzzing;

/// <summary>
/// Fuzzes the playlist rewriter (<see cref="PlaylistLineRewriter"/>) and the cache's <see cref="PlaylistInspector"/>
/// with random bytes, mutated valid playlists and valid playlists (the round-trip property). Together the three
/// tests take <see cref="FuzzBudget.PerFamily"/> inputs (default 1,000,000).
/// </summary>
public sealed class PlaylistFuzzTests
{
    private static readonly string[] Reserved = ["exp", "kid", "acl", "ip", "sig"];

    /// <summary>Bytes a playlist is made of, so random input reaches the attribute and URI paths often.</summary>
    private static readonly Gen<byte[]> RandomInput = Gen.Frequency(
        (2, Gen.Byte.Array[0, 1024]),
        (3, PlaylistGen.Str("#EXT-X-KEY:MAPURI=\"\",\r\n\t /.?&%2e5cf0:httpsd[]\\\u00e9\ufeff", 0, 400).Select(Encoding.UTF8.GetBytes)),
        (3, Gen.Select(Gen.OneOf("", "#EXTM3U\n", "\ufeff#EXTM3U\r\n"), Gen.OneOf(
                "#EXT-X-MEDIA:URI=\"", "#EXT-X-KEY:METHOD=AES-128,URI=\"", "#EXT-X-STREAM-INF:BANDWIDTH=1\n", "#EXTINF:", "\"", ",", "=", "\n", "\r\n", "\r",
                "http://127.0.0.1:9/base/", "https://cdn.example.net:8443/x/", "//evil/", "../", "./", "%2e", "%2f", "seg.ts", "?exp=1&sig=x", "#", " ", "\u00e9",
                "#EXT-X-TARGETDURATION:", "#EXT-X-MEDIA-SEQUENCE:", "#EXT-X-ENDLIST", "#EXT-X-CONTENT-STEERING:", "skd://", "data:", "URI=").Array[0, 40],
            (head, tokens) => Encoding.UTF8.GetBytes(head + string.Concat(tokens)))));

    [Fact]
    public void Random_bytes_never_throw_and_never_emit_a_uri_to_another_host()
    {
        RandomInput.Sample(ExerciseAll, iter: FuzzBudget.Share(0.3));
    }

    [Fact]
    public void Mutated_playlists_never_throw_and_never_emit_a_uri_to_another_host()
    {
        PlaylistGen.Mutated.Sample(ExerciseAll, iter: FuzzBudget.Share(0.4));
    }

    [Fact]
    public void Rewrite_round_trip_holds_for_valid_playlists()
    {
        var gen = Gen.Select(PlaylistGen.Valid, Gen.Int[0, 4], Gen.Long[1, 99_999_999_999], Gen.Int[0, 2], Gen.Int[0, 2],
            (p, acl, exp, ip, kid) => (p, Signed(p, acl, exp, ip, kid)));
        gen.Sample((p, signed) =>
        {
            var body = p.ToBytes();
            CheckRoundTrip(p, body, signed);
            var info = PlaylistInspector.Inspect(body);
            Assert.True(info.IsValid);
            Assert.Equal(p.Lines.Any(l => l.Text.StartsWith("#EXT-X-STREAM-INF", StringComparison.Ordinal) || l.Text.StartsWith("#EXT-X-MEDIA:", StringComparison.Ordinal) ||
                l.Text.StartsWith("#EXT-X-I-FRAME-STREAM-INF", StringComparison.Ordinal) ||
                l.Text.StartsWith("#EXT-X-SESSION-DATA:", StringComparison.Ordinal) || l.Text.StartsWith("#EXT-X-SESSION-KEY:", StringComparison.Ordinal) ||
                l.Text.StartsWith("#EXT-X-CONTENT-STEERING:", StringComparison.Ordinal)), info.IsMaster); // the master-only tags of rfc8216bis §4.4.6
        }, iter: FuzzBudget.Share(0.3), print: t => t.ToString());
    }

    /// <summary>0: unsigned; else signed with no acl, or an acl of /hls/, /hls/news/ or the playlist's directory.</summary>
    private static SignedRequest? Signed(GenPlaylist p, int acl, long exp, int ip, int kid)
    {
        if (acl == 0)
        {
            return null;
        }
        var dir = "/hls/news/" + (p.Path.Contains('/') ? p.Path[..(p.Path.LastIndexOf('/') + 1)] : string.Empty);
        var aclText = acl switch { 1 => null, 2 => "/hls/", 3 => "/hls/news/", _ => dir };
        var ipText = ip switch { 0 => null, 1 => "203.0.113.7", _ => "2001:db8::1" };
        return new SignedRequest(exp, exp.ToString(System.Globalization.CultureInfo.InvariantCulture), FuzzFixture.Kids[kid], aclText, ipText);
    }

    /// <summary>Everything a playlist body goes through, on any input: no exception, and the output is safe.</summary>
    private static void ExerciseAll(byte[] body)
    {
        _ = PlaylistInspector.Inspect(body);
        // unsigned, signed without acl (children outside the directory get their own signature), signed with an acl
        var signed = (body.Length % 3) switch
        {
            0 => null,
            1 => new SignedRequest(1700000000, "1700000000", "k1", null, "203.0.113.7"),
            _ => new SignedRequest(5, "5", "k1", "/hls/news/", null),
        };
        {
            var whole = FuzzFixture.Context("live/v1/index.m3u8", signed);
            var all = PlaylistLineRewriter.RewriteAll(body, whole);

            // the streamed path (small flush budgets) writes exactly the same bytes
            var chunked = FuzzFixture.Context("live/v1/index.m3u8", signed);
            var output = new ArrayBufferWriter<byte>();
            var offset = 0;
            var budget = 1 + (body.Length % 97);
            var calls = 0;
            while (offset < body.Length)
            {
                offset = PlaylistLineRewriter.Rewrite(body, offset, output, chunked, budget);
                Assert.True(++calls <= body.Length + 1, "Rewrite made no progress");
            }
            Assert.True(output.WrittenSpan.SequenceEqual(all), "chunked rewrite differs from the whole rewrite");
            Assert.Equal(whole.RefusedCount, chunked.RefusedCount);
            AssertSafeOutput(all);
        }
    }

    /// <summary>
    /// No URI line of the output can send a player anywhere but this gateway. Lines are split the way hls.js's
    /// regexes see them (CR, LF, U+2028, U+2029 end a line) and trimmed as a URL parser trims (C0 controls and spaces).
    /// </summary>
    private static void AssertSafeOutput(byte[] output)
    {
        var text = Encoding.UTF8.GetString(output);
        foreach (var raw in text.Split(['\n', '\r', '\u2028', '\u2029']))
        {
            var line = raw.Trim(UrlTrim);
            if (line.Length == 0 || line[0] == '#')
            {
                continue;
            }
            // data: URIs are inline content that reach no host (the rewriter passes them through)
            var uri = line.Replace("\t", string.Empty, StringComparison.Ordinal);
            if (!IsGatewayRelative(uri) && !uri.StartsWith("data:", StringComparison.OrdinalIgnoreCase))
            {
                Assert.Fail($"URI line leaves the gateway: {Escape(raw)}");
            }
        }
    }

    private static readonly char[] UrlTrim = [.. Enumerable.Range(0, 0x21).Select(i => (char)i)];

    /// <summary>A reference that resolves on the gateway's host: no scheme, no authority ('\\' counts as '/' in URL parsers).</summary>
    private static bool IsGatewayRelative(string uri)
    {
        var slashes = uri.Replace('\\', '/');
        if (slashes.StartsWith("//", StringComparison.Ordinal))
        {
            return false;
        }
        var colon = uri.IndexOf(':');
        var delimiter = uri.IndexOfAny(['/', '?', '#', '\\']);
        return colon < 0 || (delimiter >= 0 && delimiter < colon);
    }

    private static void CheckRoundTrip(GenPlaylist p, byte[] body, SignedRequest? signed)
    {
        var ctx = FuzzFixture.Context(p.Path, signed);
        var output = Encoding.UTF8.GetString(PlaylistLineRewriter.RewriteAll(body, ctx));
        Assert.EndsWith("\n", output);
        var actualLines = output[..^1].Split('\n');
        var expectedLines = p.Lines.Where(l => !l.Dropped).ToArray();
        Assert.Equal(expectedLines.Length, actualLines.Length);
        for (var i = 0; i < expectedLines.Length; i++)
        {
            var expected = expectedLines[i];
            var actual = actualLines[i];
            if (expected.Uri is null)
            {
                Assert.Equal(expected.Text, actual); // non-URI lines are unchanged
                continue;
            }
            if (actual.Length < expected.Prefix.Length + expected.Suffix.Length ||
                !actual.StartsWith(expected.Prefix, StringComparison.Ordinal) || !actual.EndsWith(expected.Suffix, StringComparison.Ordinal))
            {
                Assert.Fail($"only the URI may change:\n  {expected.Text}\n  {actual}");
            }
            var rewritten = actual[expected.Prefix.Length..^expected.Suffix.Length];
            CheckUri(ctx, expected.Uri, rewritten, signed, isKey: expected.Prefix.StartsWith("#EXT-X-KEY:", StringComparison.Ordinal) || expected.Prefix.StartsWith("#EXT-X-SESSION-KEY:", StringComparison.Ordinal));
        }
    }

    /// <summary>
    /// Maps a rewritten URI back the way a player and the gateway would (resolve it against the playlist's gateway
    /// URL, parse it with <see cref="HlsPathParser"/>, drop the signature) and compares the upstream URL with the
    /// original reference resolved against the origin (RFC 3986, fragment and reserved parameters dropped).
    /// </summary>
    private static void CheckUri(PlaylistRewriteContext ctx, string original, string rewritten, SignedRequest? signed, bool isKey)
    {
        var colon = original.IndexOf(':');
        var scheme = colon > 0 && original.IndexOfAny(['/', '?', '#']) is var d && (d < 0 || colon < d) ? original[..colon] : null;
        if (scheme is not null && !scheme.Equals("http", StringComparison.OrdinalIgnoreCase) && !scheme.Equals("https", StringComparison.OrdinalIgnoreCase) &&
            (isKey || scheme.Equals("data", StringComparison.OrdinalIgnoreCase)))
        {
            Assert.Equal(original, rewritten); // skd://, data: and other key URIs nobody fetches through us stay as they are
            return;
        }
        var (origin, resolved) = ExpectedTarget(ctx, original);
        if (rewritten == PlaylistRewriteContext.RefusedUri)
        {
            if (origin is not null)
            {
                Assert.Fail($"'{original}' resolves to {resolved} on origin {origin.Name} but was refused");
            }
            return;
        }
        if (origin is null || !IsGatewayRelative(rewritten) || !rewritten.All(c => c is > ' ' and < '\u007f' and not '\\'))
        {
            Assert.Fail($"'{original}' ({resolved}, origin {origin?.Name}) became '{rewritten}'");
        }

        // a simple relative reference (no dot segments) resolves by appending to the playlist's directory
        var target = rewritten.StartsWith('/') ? rewritten : ctx.DirPrefixText + rewritten;
        if (HlsPathParser.Parse(target, FuzzFixture.Registry, out var child, out _) != PathParseResult.Ok)
        {
            Assert.Fail($"gateway refuses '{target}' (from '{original}')");
        }
        Assert.Same(origin, child.Origin);
        var upstream = new Uri(child.UpstreamUrl);
        Assert.Equal(resolved!.Scheme, upstream.Scheme);
        Assert.Equal(resolved.IdnHost, upstream.IdnHost, ignoreCase: true);
        Assert.Equal(resolved.Port, upstream.Port);
        Assert.Equal(resolved.AbsolutePath, upstream.AbsolutePath);
        Assert.Equal(NormalQuery(resolved.Query), NormalQuery(upstream.Query));

        if (signed is not null)
        {
            var q = target.IndexOf('?');
            var path = q < 0 ? target : target[..q];
            var status = SignatureValidator.Validate(target, IPAddress.Parse(signed.Ip ?? "127.0.0.1"), signed.Exp * 1000 - 1000, FuzzFixture.Snapshot, capture: false, out _);
            // scope is checked on the normalised path and acl (RFC 3986 6.2.2), as the validator does
            var inScope = signed.Acl is null || UriNormalization.Normalize(path).StartsWith(UriNormalization.Normalize(signed.Acl), StringComparison.Ordinal);
            if (status != (inScope ? SignatureStatus.Valid : SignatureStatus.OutsideScope))
            {
                Assert.Fail($"child '{target}' of a signed playlist ({signed}): {status}");
            }
        }
    }

    /// <summary>The origin and upstream URL a reference means (null origin: it must be refused).</summary>
    private static (Origin? Origin, Uri? Resolved) ExpectedTarget(PlaylistRewriteContext ctx, string original)
    {
        if (!Uri.TryCreate(ctx.PlaylistUri, original, out var resolved) || resolved.Scheme is not ("http" or "https"))
        {
            return (null, resolved);
        }
        foreach (var origin in new[] { FuzzFixture.News, FuzzFixture.Other })
        {
            var b = origin.BaseUri;
            var basePath = b.AbsolutePath.TrimEnd('/');
            if (resolved.Scheme == b.Scheme && string.Equals(resolved.IdnHost, b.IdnHost, StringComparison.OrdinalIgnoreCase) && resolved.Port == b.Port &&
                resolved.AbsolutePath.StartsWith(basePath + "/", StringComparison.Ordinal) && resolved.AbsolutePath.Length > basePath.Length + 1)
            {
                return HlsPathParser.IsSafePath(resolved.AbsolutePath.AsSpan(basePath.Length + 1)) ? (origin, resolved) : (null, resolved);
            }
        }
        return (null, resolved);
    }

    /// <summary>The query's pairs without empty ones and the gateway's reserved names, in order.</summary>
    private static string NormalQuery(string query) =>
        string.Join('&', query.TrimStart('?').Split('&').Where(p => p.Length > 0 && !Reserved.Contains(p.Split('=')[0])));

    private static string Escape(string s) => string.Concat(s.Select(c => c is < ' ' or > '~' ? $"\\u{(int)c:x4}" : c.ToString()));
}
