using System.Net;
using System.Text;
using HlsGateway.Access;
using HlsGateway.Configuration;
using HlsGateway.Monitor.Metrics;
using HlsGateway.Playlists;
using HlsGateway.Proxy;
using HlsGateway.Tests.Access;

namespace HlsGateway.Tests.Playlists;

public sealed class PlaylistLineRewriterTests
{
    private const string OriginBase = "http://127.0.0.1:9/base";
    private static readonly Origin News = OriginHandlerFactory.Create("news", new Uri(OriginBase), new OriginSettings(), new ProxyOptions());
    private static readonly Origin Other = OriginHandlerFactory.Create("other", new Uri("https://cdn.example.net:8443/x"), new OriginSettings(), new ProxyOptions());

    private static HlsRequest Request(string path) => new(News, path, string.Empty, RouteKind.MediaPlaylist, "news/" + path);

    private static string Rewrite(string playlist, string path, SignedRequest? signed = null, int budget = int.MaxValue)
    {
        var ctx = new PlaylistRewriteContext(Request(path), [News, Other], signed, signed is null ? null : SigningTestVectors.Key);
        var body = Encoding.UTF8.GetBytes(playlist.Replace("{ORIGIN}", OriginBase, StringComparison.Ordinal).Replace("{ROOT}", "/base", StringComparison.Ordinal));
        var output = new System.Buffers.ArrayBufferWriter<byte>();
        var offset = 0;
        while (offset < body.Length)
        {
            offset = PlaylistLineRewriter.Rewrite(body, offset, output, ctx, budget);
        }
        return Encoding.UTF8.GetString(output.WrittenSpan);
    }

    [Fact]
    public void Master_every_uri_goes_through_the_gateway()
    {
        var text = Rewrite(PlaylistFixtures.Master, "live/master.m3u8");
        Assert.Contains("#EXT-X-SESSION-DATA:DATA-ID=\"com.example.title\",URI=\"meta/title.json\"", text);
        Assert.Contains("#EXT-X-SESSION-KEY:METHOD=AES-128,URI=\"keys/session.key\",IV=0x00000000000000000000000000000001", text);
        Assert.Contains("NAME=\"English\",DEFAULT=YES,AUTOSELECT=YES,CHANNELS=\"2\",URI=\"audio/en/index.m3u8\"", text);
        Assert.Contains("NAME=\"Deutsch, Stereo\",DEFAULT=NO,AUTOSELECT=YES,URI=\"/hls/news/live/audio/de/index.m3u8\"", text);
        Assert.Contains("FORCED=NO,URI=\"subs/en/index.m3u8\"", text);
        Assert.Contains("#EXT-X-MEDIA:TYPE=CLOSED-CAPTIONS,GROUP-ID=\"cc\",NAME=\"CC1\",INSTREAM-ID=\"CC1\"\n", text);
        Assert.Contains("CLOSED-CAPTIONS=\"cc\"\nv360/index.m3u8\n", text);
        Assert.Contains("AUDIO=\"aud\",SUBTITLES=\"subs\",CLOSED-CAPTIONS=\"cc\"\n/hls/news/live/v720/index.m3u8\n", text);
        Assert.Contains("RESOLUTION=320x180,AUDIO=\"aud\"\n/hls/~refused/uri\n", text);
        Assert.Contains("RESOLUTION=640x360,URI=\"v360/iframes.m3u8\"", text);
        Assert.DoesNotContain("CONTENT-STEERING", text);
        Assert.DoesNotContain("evil.example.com", text);
        Assert.DoesNotContain("127.0.0.1", text);
        Assert.StartsWith("#EXTM3U\n", text);
    }

    [Fact]
    public void Absolute_uris_at_a_backup_base_url_go_through_the_gateway()
    {
        // a playlist the backup served after a failover may name the backup's own host (docs/failover.md)
        var origin = OriginHandlerFactory.Create("news", new Uri(OriginBase), new OriginSettings { Backups = { "http://10.0.0.2:8080/mirror/" } }, new ProxyOptions());
        var ctx = new PlaylistRewriteContext(new HlsRequest(origin, "live/index.m3u8", string.Empty, RouteKind.MediaPlaylist, "news/live/index.m3u8"), [origin], null, null);
        var body = Encoding.UTF8.GetBytes("#EXTM3U\n#EXT-X-TARGETDURATION:4\n#EXTINF:4.0,\nhttp://10.0.0.2:8080/mirror/live/seg1.ts\n#EXTINF:4.0,\nhttp://10.0.0.3:8080/mirror/live/seg2.ts\n#EXTINF:4.0,\n" + OriginBase + "/live/seg3.ts\n");
        var output = new System.Buffers.ArrayBufferWriter<byte>();
        var offset = 0;
        while (offset < body.Length)
        {
            offset = PlaylistLineRewriter.Rewrite(body, offset, output, ctx, int.MaxValue);
        }
        var text = Encoding.UTF8.GetString(output.WrittenSpan);
        origin.Invoker.Dispose();
        Assert.Contains("\n/hls/news/live/seg1.ts\n", text);
        Assert.Contains("\n/hls/~refused/uri\n", text); // not one of the origin's URLs
        Assert.Contains("\n/hls/news/live/seg3.ts\n", text);
        Assert.DoesNotContain("10.0.0.2", text);
    }

    [Fact]
    public void Media_every_tag_is_rewritten_and_skd_is_left_alone()
    {
        var text = Rewrite(PlaylistFixtures.V360, "live/v360/index.m3u8");
        Assert.Contains("#EXT-X-MAP:URI=\"init.mp4\",BYTERANGE=\"720@0\"", text);
        Assert.Contains("#EXT-X-KEY:METHOD=AES-128,URI=\"/hls/news/live/keys/k1.key\",IV=0x0000000000000000000000000000000A", text);
        Assert.Contains("#EXTINF:4.000,\nseg100.m4s\n", text);
        Assert.Contains("#EXT-X-BYTERANGE:5000@0\n#EXTINF:4.000,\nmedia.m4s\n", text);
        Assert.Contains("\nmedia.m4s?token=abc\n", text); // the origin's own query stays, reserved names go
        Assert.Contains("URI=\"skd://key-id-123\",KEYFORMAT=\"com.apple.streamingkeydelivery\"", text);
        Assert.Contains("X-ASSET-URI=\"ads/ad1.m3u8\"", text);
        Assert.Contains("#EXT-X-PART:DURATION=1.0,URI=\"seg103.part0.m4s\",INDEPENDENT=YES", text);
        Assert.Contains("#EXT-X-PART:DURATION=1.0,URI=\"seg103.part1.m4s\"", text);
        Assert.Contains("#EXT-X-PRELOAD-HINT:TYPE=PART,URI=\"seg103.part2.m4s\"", text);
        Assert.Contains("#EXT-X-RENDITION-REPORT:URI=\"/hls/news/live/v720/index.m3u8\",LAST-MSN=103,LAST-PART=1", text);
        Assert.Contains("#EXT-X-RENDITION-REPORT:URI=\"/hls/~refused/uri\",LAST-MSN=103,LAST-PART=1", text);
        Assert.Contains("#EXT-X-PROGRAM-DATE-TIME:2024-01-01T00:00:12.000Z\n", text);
    }

    [Theory]
    [InlineData("seg.ts", "seg.ts")]
    [InlineData("v1/seg.ts?x=1&exp=2", "v1/seg.ts?x=1")]
    [InlineData("./seg.ts", "/hls/news/live/seg.ts")]
    [InlineData("a/../seg.ts", "/hls/news/live/seg.ts")]
    [InlineData("../up.ts", "/hls/news/up.ts")]
    [InlineData("../../outside-base.ts", "/hls/~refused/uri")] // resolves above the origin's base path
    [InlineData("/base/root.ts", "/hls/news/root.ts")]
    [InlineData("/elsewhere/root.ts", "/hls/~refused/uri")]
    [InlineData("//127.0.0.1:9/base/n.ts", "/hls/news/n.ts")]
    [InlineData("http://127.0.0.1:9/base/abs.ts?x=1#frag", "/hls/news/abs.ts?x=1")]
    [InlineData("HTTP://127.0.0.1:9/base/abs.ts", "/hls/news/abs.ts")]
    [InlineData("https://127.0.0.1:9/base/abs.ts", "/hls/~refused/uri")] // other scheme, other origin
    [InlineData("http://127.0.0.1:10/base/abs.ts", "/hls/~refused/uri")] // other port
    [InlineData("http://127.0.0.1:9/basement/abs.ts", "/hls/~refused/uri")] // base path prefix is per segment
    [InlineData("https://cdn.example.net:8443/x/y/z.ts", "/hls/other/y/z.ts")] // another configured origin
    [InlineData("http://169.254.169.254/latest/meta-data", "/hls/~refused/uri")]
    [InlineData("ftp://127.0.0.1:9/base/a.ts", "/hls/~refused/uri")]
    [InlineData("data:text/plain,hi", "/hls/~refused/uri")] // data: only for keys
    [InlineData("file:///etc/passwd", "/hls/~refused/uri")]
    [InlineData("seg with space.ts", "/hls/news/live/seg%20with%20space.ts")]
    [InlineData("a%2Fb.ts", "/hls/~refused/uri")]
    [InlineData("http://[::1]:9/base/a.ts", "/hls/~refused/uri")]
    public void Uri_resolution_table(string uri, string expected)
    {
        var text = Rewrite("#EXTM3U\n#EXTINF:1,\n" + uri + "\n", "live/index.m3u8");
        Assert.Equal("#EXTM3U\n#EXTINF:1,\n" + expected + "\n", text);
    }

    [Fact]
    public void Signed_children_carry_the_parent_exp_kid_ip_and_the_directory_acl()
    {
        var signed = new SignedRequest(SigningTestVectors.Exp, "1700000000", "k1", null, "203.0.113.7");
        var text = Rewrite(PlaylistFixtures.Master, "live/master.m3u8", signed);
        Assert.Contains("\nv360/index.m3u8?exp=1700000000&kid=k1&acl=/hls/news/live/&ip=203.0.113.7&sig=", text);
        var snapshot = Snapshot();
        var uris = PlaylistUris.Extract(text).Where(u => !u.StartsWith("/hls/~", StringComparison.Ordinal)).Select(u => PlaylistUris.Resolve("/hls/news/live/master.m3u8", u)).ToList();
        Assert.Equal(8, uris.Count);
        foreach (var uri in uris)
        {
            var status = SignatureValidator.Validate(uri, IPAddress.Parse("203.0.113.7"), (SigningTestVectors.Exp - 10) * 1000, snapshot, false, out _);
            Assert.True(status == SignatureStatus.Valid, uri + " -> " + status);
        }
    }

    [Fact]
    public void Signed_child_outside_the_directory_is_signed_for_its_exact_path_unless_the_parent_had_an_acl()
    {
        var playlist = "#EXTM3U\n#EXTINF:1,\n../shared/seg.ts\n";
        var snapshot = Snapshot();
        var exact = Rewrite(playlist, "live/index.m3u8", new SignedRequest(SigningTestVectors.Exp, "1700000000", "k1", null, null));
        var uri = PlaylistUris.Resolve("/hls/news/live/index.m3u8", PlaylistUris.Extract(exact).Single());
        Assert.DoesNotContain("acl=", uri);
        Assert.Equal(SignatureStatus.Valid, SignatureValidator.Validate(uri, IPAddress.Loopback, 0, snapshot, false, out _));

        var scoped = Rewrite(playlist, "live/index.m3u8", new SignedRequest(SigningTestVectors.Exp, "1700000000", "k1", "/hls/news/live/", null));
        uri = PlaylistUris.Resolve("/hls/news/live/index.m3u8", PlaylistUris.Extract(scoped).Single());
        Assert.Equal(SignatureStatus.OutsideScope, SignatureValidator.Validate(uri, IPAddress.Loopback, 0, snapshot, false, out _));
    }

    [Fact]
    public void Flushing_in_small_steps_gives_the_same_output()
    {
        var signed = new SignedRequest(SigningTestVectors.Exp, "1700000000", "k1", null, null);
        Assert.Equal(Rewrite(PlaylistFixtures.V360, "live/v360/index.m3u8", signed), Rewrite(PlaylistFixtures.V360, "live/v360/index.m3u8", signed, budget: 1));
    }

    [Fact]
    public void Garbage_is_survived()
    {
        var garbage = "#EXTM3U\r\n\uFEFF\u0001\u0002binary\r\n#EXT-X-KEY:URI=\"unterminated\n#EXT-X-MAP:URI=\n#EXT-X-MAP\n#EXT-X-MEDIA:URI=\"\"\n"
            + new string('x', 10000) + "\n%%%\n::::\n?\n#\n\n   \n\"quoted\"\nhttp://\nhttp://[bad\n";
        var text = Rewrite(garbage, "live/index.m3u8");
        Assert.StartsWith("#EXTM3U\n", text);
        Assert.DoesNotContain("http://[bad", text);
        var bytes = new byte[] { 0x23, 0x45, 0x58, 0x54, 0x4D, 0x33, 0x55, 0x0A, 0xFF, 0xFE, 0xC3, 0x28, 0x0A };
        var ctx = new PlaylistRewriteContext(Request("live/index.m3u8"), [News], null, null);
        var output = PlaylistLineRewriter.RewriteAll(bytes, ctx);
        Assert.NotEmpty(output);
    }

    private static AccessSnapshot Snapshot()
    {
        var options = new AccessOptions();
        options.Signing.Keys["k1"] = SigningTestVectors.KeyBase64;
        return new AccessSnapshot(options);
    }
}
