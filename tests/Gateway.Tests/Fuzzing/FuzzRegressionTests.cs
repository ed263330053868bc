using System.Text;
using HlsGateway.Playlists;
using HlsGateway.Proxy;

namespace HlsGateway.Tests.Fuzzing;

/// <summary>Bugs the fuzz tests found, pinned as plain unit tests (shrunk inputs).</summary>
public sealed class FuzzRegressionTests
{
    private static string Rewrite(string playlist) =>
        Encoding.UTF8.GetString(PlaylistLineRewriter.RewriteAll(Encoding.UTF8.GetBytes(playlist), FuzzFixture.Context("live/index.m3u8", null)));

    /// <summary>
    /// hls.js ends a tag or title at CR, U+2028 and U+2029 too; the rewriter split on LF only, so the URI after
    /// such a break reached players unrewritten (pointing at any host).
    /// </summary>
    [Theory]
    [InlineData("#EXTINF:4,\rhttp://evil.example.com/x.ts\n")]
    [InlineData("#EXTINF:4,title\u2028http://evil.example.com/x.ts\n")]
    [InlineData("#EXT-X-PROGRAM-DATE-TIME:2024-01-01T00:00:00Z\u2029//evil.example.com/x.ts\n")]
    [InlineData("# comment\r\rhttp://evil.example.com/x.ts")]
    public void A_uri_after_a_lone_cr_or_unicode_line_separator_is_rewritten(string tail)
    {
        var text = Rewrite("#EXTM3U\n" + tail);
        Assert.DoesNotContain("evil", text);
        Assert.Contains("\n" + PlaylistRewriteContext.RefusedUri + "\n", text);
    }

    [Fact]
    public void Crlf_and_other_characters_starting_with_e2_are_kept_as_they_were()
    {
        var text = Rewrite("#EXTM3U\r\n#EXTINF:4,caf\u00e9 \u2014 live \u20ac\r\nseg.ts\r\n");
        Assert.Equal("#EXTM3U\n#EXTINF:4,caf\u00e9 \u2014 live \u20ac\nseg.ts\n", text);
    }

    /// <summary>'#' in a request path was accepted; upstream it starts a fragment, so "/hls/news/live/#.ts" fetched "/base/live/".</summary>
    [Theory]
    [InlineData("/hls/news/#")]
    [InlineData("/hls/news/live/#x.m3u8")]
    [InlineData("/hls/news/live/a#b.ts?x=1")]
    public void A_path_with_a_hash_is_refused(string target)
    {
        Assert.Equal(PathParseResult.BadPath, HlsPathParser.Parse(target, FuzzFixture.Registry, out _, out _));
    }

    /// <summary>
    /// A raw space was accepted; System.Uri trims it from the end of the upstream URL (the signature parameters
    /// are stripped first), so "/hls/news/.. ?exp=.." became a fetch of "http://origin/" above the base path.
    /// </summary>
    [Theory]
    [InlineData("/hls/news/.. ")]
    [InlineData("/hls/news/.. ?exp=1&kid=k1&sig=x")]
    [InlineData("/hls/news/live/. ")]
    [InlineData("/hls/news/a b.ts")]
    public void A_path_with_a_raw_space_is_refused(string target)
    {
        Assert.Equal(PathParseResult.BadPath, HlsPathParser.Parse(target, FuzzFixture.Registry, out _, out _));
    }

    /// <summary>
    /// A child URI whose host is not valid IDN parsed, then threw from Uri.IdnHost while being matched against
    /// the origins: the whole playlist answer failed. It is refused like any other unmappable URI.
    /// </summary>
    [Theory]
    [InlineData("http://evil.exampl\uFEE9e.example/x.ts")] // the shrunk fuzz input: an Arabic presentation form in the host
    [InlineData("http://\uFFFF.example/x.ts")]
    [InlineData("http://xn--a.example/x.ts")]
    [InlineData("http://a\u0378b.example/x.ts")]
    [InlineData("https://xn--55555577.example/x.ts")]
    public void A_uri_with_an_invalid_idn_host_is_refused_not_thrown(string uri)
    {
        var text = Rewrite("#EXTM3U\n#EXTINF:4,\n" + uri + "\n#EXT-X-KEY:METHOD=AES-128,URI=\"" + uri + "\"\n");
        Assert.DoesNotContain(".example", text);
        Assert.Contains("\n" + PlaylistRewriteContext.RefusedUri + "\n", text);
    }
}
