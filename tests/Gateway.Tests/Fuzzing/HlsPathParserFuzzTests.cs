using System.Text;
using CsCheck;
using HlsGateway.Proxy;

namespace HlsGateway.Tests.Fuzzing;

/// <summary>
/// Fuzzes <see cref="HlsPathParser"/> with random targets and with paths assembled from traversal tricks. Property:
/// an accepted path has no segment that is (or decodes to) '.' or '..', no encoded separator, and the upstream URL
/// built from it keeps every segment (System.Uri, which the proxy hands to HttpClient, removes nothing).
/// Together the two tests take <see cref="FuzzBudget.PerFamily"/> inputs (default 1,000,000).
/// </summary>
public sealed class HlsPathParserFuzzTests
{
    private static readonly Gen<string> RandomTarget = Gen.Frequency(
        (3, PlaylistGen.Str("/hls/news.%2eEfF5c0\\?#&=;:@+ \t\u0000\u00e9\uff0e\u200e\u202e\ufeff\u00a0\u3000", 0, 120)),
        (1, PlaylistGen.Str("/hls/news.%2eEfF5c0\\?#&=;:@+ \t\u0000\u00e9\uff0e\u200e\u202e\ufeff\u00a0\u3000", 0, 120).Select(s => "/hls/news/" + s)),
        (1, Gen.Byte.Array[0, 600].Select(b => Encoding.Latin1.GetString(b))),
        (1, Gen.String.Select(s => "/hls/news/" + s)));

    /// <summary>Segments that are, decode to, or look like dot segments and separators, in every spelling.</summary>
    private static readonly Gen<string> TrickySegment = Gen.Frequency(
        (6, PlaylistGen.Str("abcXYZ019-_~", 1, 8)),
        (4, Gen.OneOf(
            ".", "..", "...", "%2e", "%2E", "%2e%2e", "%2E%2e", ".%2e", "%2e.", "%2e%2e%2e", "%252e", "%252e%252e", "%c0%ae", "%c0%ae%c0%ae", "%e0%80%ae", "%u002e",
            "\uff0e", "\uff0e\uff0e", "%ef%bc%8e", "..;", ";..", "..%3b", "..%00", "%00", " ..", ".. ", "%20..", "..%20", "..%09", "\t..", "..\u0000", ".\u200b.",
            "a%2fb", "%2f", "%2F", "%5c", "%5C", "\\", "..\\", "%5c..", "%255c", "%252f", "a#b", "#", "%23", "?", "%3f", "", "%", "%%", "%2", "%e", ".%", "..%2f", "%2e%2f",
            "\u00e9", "%C3%A9", "\ud800", "a\u0085b", "\u2028", ".\u200e.", "\u200f..", "..\u202a", ".\u202e", "\u200e", "..\ufeff", ".\u00ad.", "..\u00a0", "..\u3000", "x.m3u8", "seg.ts", "%7e", "~")));

    private static readonly Gen<string> Structured = Gen.Select(
        Gen.OneOf("/hls/news/", "/hls/NEWS/", "/hls/other/", "/hls/unknown/", "/hls//", "/hls/news", "/HLS/news/", "/hls/news/./", "/hls/%6eews/"),
        TrickySegment.Array[0, 6],
        Gen.OneOf("", "/", "?", "?a=1", "?exp=1&sig=x&kid=k1", "?a=%2e%2e/", "#frag", "?x#y"),
        (head, segments, tail) => head + string.Join('/', segments) + tail);

    [Fact]
    public void Random_targets_never_throw_and_accepted_paths_are_canonical()
    {
        RandomTarget.Sample(Check, iter: FuzzBudget.Share(0.4));
    }

    [Fact]
    public void Traversal_tricks_are_never_accepted()
    {
        Structured.Sample(Check, iter: FuzzBudget.Share(0.6));
    }

    private static void Check(string target)
    {
        var result = HlsPathParser.Parse(target, FuzzFixture.Registry, out var request, out _);
        if (result != PathParseResult.Ok)
        {
            return;
        }
        var path = request.Path;
        var q = target.IndexOf('?');
        var rawPath = q < 0 ? target : target[..q];
        // the path as sent, normalised (RFC 3986 6.2.2: %61 is a, other escapes upper-cased)
        Assert.EndsWith("/" + path, UriNormalization.Normalize(rawPath), StringComparison.Ordinal);

        foreach (var sep in new[] { "%2f", "%5c", "\\" })
        {
            if (path.Contains(sep, StringComparison.OrdinalIgnoreCase))
            {
                Assert.Fail($"encoded separator {sep} accepted: {target}");
            }
        }
        foreach (var segment in path.Split('/'))
        {
            // decode until nothing changes: a double-encoded dot is a dot to some server down the line
            var decoded = segment;
            for (var i = 0; i < 4; i++)
            {
                var next = Uri.UnescapeDataString(decoded);
                if (next == decoded)
                {
                    break;
                }
                decoded = next;
            }
            if (decoded is "." or ".." || decoded.Contains('/') || decoded.Contains('\\') || segment.Length == 0)
            {
                Assert.Fail($"dot segment or separator accepted: '{segment}' in {target}");
            }
        }

        // what the proxy sends upstream keeps every segment: nothing is trimmed, stripped or collapsed
        var upstream = new Uri(request.UpstreamUrl, UriKind.Absolute);
        var basePath = request.Origin.BaseUri.AbsolutePath.TrimEnd('/');
        var expectedSegments = basePath.Split('/', StringSplitOptions.RemoveEmptyEntries).Length + path.Split('/').Length;
        if (!upstream.AbsolutePath.StartsWith(basePath + "/", StringComparison.Ordinal) ||
            upstream.AbsolutePath.Split('/', StringSplitOptions.RemoveEmptyEntries).Length != expectedSegments)
        {
            Assert.Fail($"{target} -> upstream {upstream.AbsoluteUri}");
        }

        // a playlist served for an accepted path can be rewritten (its URL is what relative URIs resolve against)
        _ = FuzzFixture.Context(path, null).PlaylistUri;
    }
}
