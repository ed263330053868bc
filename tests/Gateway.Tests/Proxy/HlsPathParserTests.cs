using HlsGateway.Configuration;
using HlsGateway.Monitor.Metrics;
using HlsGateway.Proxy;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging.Abstractions;

namespace HlsGateway.Tests.Proxy;

public sealed class HlsPathParserTests
{
    private static OriginRegistry Registry()
    {
        var config = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Gateway:Origins:news"] = "http://127.0.0.1:9/base/",
            ["Gateway:OriginSettings:news:ForwardQuery:0"] = "token", // an origin token its playlists carry
        }).Build();
        return new OriginRegistry(new GatewayConfigMonitor(config, NullLogger<GatewayConfigMonitor>.Instance), NullLogger<OriginRegistry>.Instance);
    }

    [Theory]
    [InlineData("/hls/news/live/index.m3u8", "Ok")]
    [InlineData("/hls/NEWS/live/seg_001.ts", "Ok")]
    [InlineData("/hls/news/a%20b/seg.ts", "Ok")]
    [InlineData("/hls/other/live/index.m3u8", "UnknownOrigin")]
    [InlineData("/hls/news/../secret", "BadPath")]
    [InlineData("/hls/news/live/../../etc/passwd", "BadPath")]
    [InlineData("/hls/news/%2e%2e/secret", "BadPath")]
    [InlineData("/hls/news/%2E%2e/secret", "BadPath")]
    [InlineData("/hls/news/.%2e/secret", "BadPath")]
    [InlineData("/hls/news/./x.ts", "BadPath")]
    [InlineData("/hls/news/a%2fb.ts", "BadPath")]
    [InlineData("/hls/news/a%2Fb.ts", "BadPath")]
    [InlineData("/hls/news/a%5cb.ts", "BadPath")]
    [InlineData("/hls/news/a\\b.ts", "BadPath")]
    [InlineData("/hls/news/a%00.ts", "BadPath")]
    [InlineData("/hls/news/a%252e%252e/x", "BadPath")]
    [InlineData("/hls/news//x.ts", "BadPath")]
    [InlineData("/hls/news/", "BadPath")]
    [InlineData("/hls/news", "BadPath")]
    [InlineData("/hls//x.ts", "BadPath")]
    [InlineData("/metrics", "NotHls")]
    public void Parses_and_refuses_traversal(string target, string expected)
    {
        Assert.Equal(Enum.Parse<PathParseResult>(expected), HlsPathParser.Parse(target, Registry(), out _, out _));
    }

    [Fact]
    public void Refuses_exactly_the_control_characters_backslash_hash_and_space()
    {
        // char.IsControl is C0, DEL and C1; U+00A0 and above are ordinary path characters
        for (var c = '\0'; c <= '\u00FF'; c++)
        {
            var unsafeChar = char.IsControl(c) || c is '\\' or '#' or ' ';
            Assert.True(HlsPathParser.IsSafePath($"a{c}b.ts") != unsafeChar, $"U+{(int)c:X4}");
        }
    }

    [Fact]
    public void Builds_upstream_url_without_gateway_query_parameters()
    {
        var result = HlsPathParser.Parse("/hls/news/live/seg_1.ts?exp=1&kid=k&acl=/hls/&ip=1.2.3.4&sig=abc&token=origin1", Registry(), out var request, out _);
        Assert.Equal(PathParseResult.Ok, result);
        Assert.Equal("http://127.0.0.1:9/base/live/seg_1.ts?token=origin1", request.UpstreamUrl);
        Assert.Equal(RouteKind.Segment, request.Kind);
        Assert.DoesNotContain("sig", request.CacheKey);

        HlsPathParser.Parse("/hls/news/live/index.m3u8?sig=abc&exp=2", Registry(), out var signedOnly, out _);
        Assert.Equal("http://127.0.0.1:9/base/live/index.m3u8", signedOnly.UpstreamUrl);
        Assert.Equal(RouteKind.MediaPlaylist, signedOnly.Kind);
    }

    [Theory]
    // unlisted parameters are dropped from the origin URL and the cache key; listed and LL-HLS ones kept in order
    [InlineData("/hls/news/a.ts?x=1", "", true)]
    [InlineData("/hls/news/a.ts?x=1&token=t&y", "?token=t", true)]
    [InlineData("/hls/news/a.m3u8?_HLS_msn=5&_HLS_part=1&cb=123", "?_HLS_msn=5&_HLS_part=1", true)]
    [InlineData("/hls/news/a.m3u8?_HLS_skip=YES&token=t", "?_HLS_skip=YES&token=t", false)]
    [InlineData("/hls/news/a.ts?exp=1&kid=k&sig=s", "", false)]
    [InlineData("/hls/news/a.ts?exp=1&kid=k&sig=s&x=", "", true)]
    [InlineData("/hls/news/a.ts?_hls_msn=1", "", true)] // names compare as sent
    public void Query_is_cut_to_the_forward_list(string target, string upstreamQuery, bool refusedWhenSigningRequired)
    {
        Assert.Equal(PathParseResult.Ok, HlsPathParser.Parse(target, Registry(), out var request, out _));
        Assert.Equal(upstreamQuery, request.UpstreamQuery);
        Assert.Equal("news/" + request.Path + upstreamQuery, request.CacheKey);
        var strict = HlsPathParser.Parse(target, Registry(), out _, out _, refuseUnlisted: true);
        Assert.Equal(refusedWhenSigningRequired ? PathParseResult.UnlistedParameter : PathParseResult.Ok, strict);
    }

    [Theory]
    // RFC 3986 6.2.2: percent-encoded unreserved characters decoded, other escapes upper-cased: one object, one key
    [InlineData("/hls/news/%61%2D%5F%7E%2E1.ts", "a-_~.1.ts")]
    [InlineData("/hls/news/x%20y%3a.ts", "x%20y%3A.ts")]
    [InlineData("/hls/news/%C3%a9.ts", "%C3%A9.ts")]
    [InlineData("/hls/news/plain.ts", "plain.ts")]
    public void Path_is_normalised_for_the_cache_key_and_the_origin(string target, string path)
    {
        Assert.Equal(PathParseResult.Ok, HlsPathParser.Parse(target, Registry(), out var request, out _));
        Assert.Equal(path, request.Path);
        Assert.Equal("news/" + path, request.CacheKey);
        Assert.Equal("http://127.0.0.1:9/base/" + path, request.UpstreamUrl);
    }

    [Theory]
    [InlineData("a/b.m3u8", RouteKind.MediaPlaylist)]
    [InlineData("a/b.M3U8", RouteKind.MediaPlaylist)]
    [InlineData("a/b.ts", RouteKind.Segment)]
    [InlineData("a/init.mp4", RouteKind.Segment)]
    [InlineData("a/b.m4s", RouteKind.Segment)]
    [InlineData("a/key.key", RouteKind.Segment)]
    [InlineData("a.b/c", RouteKind.Other)]
    [InlineData("a/b.json", RouteKind.Other)]
    public void Classifies_by_extension(string path, RouteKind kind) => Assert.Equal(kind, HlsPathParser.KindOf(path));
}
