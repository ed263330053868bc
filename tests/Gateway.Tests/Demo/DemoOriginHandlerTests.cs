using System.Text;
using HlsGateway.Demo;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Time.Testing;

namespace HlsGateway.Tests.Demo;

public sealed class DemoOriginHandlerTests
{
    private static readonly DateTimeOffset Epoch = new(2030, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private static DemoOriginHandler Create(TimeSpan sinceEpoch)
    {
        var clock = new FakeTimeProvider(Epoch + sinceEpoch);
        var samples = DemoPlaylistGeneratorTests.FakeSamples(2, 2, 2, 2, 2, 2);
        return new DemoOriginHandler(new DemoPlaylistGenerator(samples, clock, Epoch), clock);
    }

    [Theory]
    [InlineData("/master.m3u8", DemoOriginHandler.PlaylistContentType, "public, max-age=5")]
    [InlineData("/live.m3u8", DemoOriginHandler.PlaylistContentType, "public, max-age=1")]
    [InlineData("/live/lo.m3u8", DemoOriginHandler.PlaylistContentType, "public, max-age=1")]
    [InlineData("/vod.m3u8", DemoOriginHandler.PlaylistContentType, "public, max-age=3600")]
    [InlineData("/vod/master.m3u8", DemoOriginHandler.PlaylistContentType, "public, max-age=3600")]
    [InlineData("/vod/hi.m3u8", DemoOriginHandler.PlaylistContentType, "public, max-age=3600")]
    [InlineData("/vod/hi/seg-5.ts", DemoOriginHandler.SegmentContentType, "public, max-age=86400, immutable")]
    [InlineData("/live/hi/seg-29.ts", DemoOriginHandler.SegmentContentType, "public, max-age=86400, immutable")]
    [InlineData("/live/lo/seg-17.ts", DemoOriginHandler.SegmentContentType, "public, max-age=86400, immutable")]
    public void Resolves_ComputedNames(string path, string contentType, string cacheControl)
    {
        var handler = Create(TimeSpan.FromSeconds(61)); // live edge 29
        Assert.True(handler.TryResolve(path, out var r));
        Assert.Equal(contentType, r.ContentType);
        Assert.Equal(cacheControl, r.CacheControl);
        Assert.NotEmpty(r.Body);
    }

    [Fact]
    public void LiveSegment_N_PlaysSample_N_ModCount()
    {
        var handler = Create(TimeSpan.FromSeconds(61));
        Assert.True(handler.TryResolve("/live/lo/seg-23.ts", out var r));
        Assert.Equal("Glo5", Encoding.ASCII.GetString(r.Body)); // 23 % 6
        Assert.True(handler.TryResolve("/live/hi/seg-24.ts", out r));
        Assert.Equal("Ghi0", Encoding.ASCII.GetString(r.Body));
    }

    [Theory]
    [InlineData("/live/hi/seg-30.ts")]       // not complete yet
    [InlineData("/live/hi/seg-16.ts")]       // older than two windows
    [InlineData("/live/hi/seg-029.ts")]      // not canonical
    [InlineData("/live/hi/seg-+29.ts")]
    [InlineData("/live/hi/seg--1.ts")]
    [InlineData("/live/hi/seg-.ts")]
    [InlineData("/live/hi/seg-99999999999999999999.ts")]
    [InlineData("/vod/hi/seg-6.ts")]         // past the loop
    [InlineData("/live/HI.m3u8")]            // names are exact
    [InlineData("/live/mid.m3u8")]
    [InlineData("/live/../master.m3u8")]
    [InlineData("/live/hi/../../manifest.json")]
    [InlineData("/manifest.json")]
    [InlineData("/ts/360p/seg-0.ts")]
    [InlineData("/live/hi/seg-29.ts/")]
    [InlineData("/live/")]
    [InlineData("/")]
    [InlineData("")]
    [InlineData("master.m3u8")]
    public void Refuses_EverythingElse(string path)
    {
        var handler = Create(TimeSpan.FromSeconds(61));
        Assert.False(handler.TryResolve(path, out _));
    }

    [Fact]
    public async Task Get_WritesBodyWithContentTypeLengthAndCacheControl()
    {
        var handler = Create(TimeSpan.FromSeconds(61));
        var context = NewContext("GET", "/live/hi/seg-29.ts");
        await handler.InvokeAsync(context);
        Assert.Equal(200, context.Response.StatusCode);
        Assert.Equal("video/mp2t", context.Response.ContentType);
        Assert.Equal(4, context.Response.ContentLength);
        Assert.Equal("public, max-age=86400, immutable", context.Response.Headers.CacheControl.ToString());
        Assert.Equal("Ghi5", Encoding.ASCII.GetString(((MemoryStream)context.Response.Body).ToArray()));
    }

    [Fact]
    public async Task Head_SendsHeadersOnly()
    {
        var handler = Create(TimeSpan.FromSeconds(61));
        var context = NewContext("HEAD", "/live.m3u8");
        await handler.InvokeAsync(context);
        Assert.Equal(200, context.Response.StatusCode);
        Assert.Equal("application/vnd.apple.mpegurl", context.Response.ContentType);
        Assert.True(context.Response.ContentLength > 0);
        Assert.Equal(0, context.Response.Body.Length);
    }

    [Theory]
    [InlineData("POST", "/live.m3u8", 405)]
    [InlineData("GET", "/live/hi/seg-30.ts", 404)]
    [InlineData("GET", "/etc/passwd", 404)]
    public async Task Errors_AreProblemJson(string method, string path, int status)
    {
        var handler = Create(TimeSpan.FromSeconds(61));
        var context = NewContext(method, path);
        await handler.InvokeAsync(context);
        Assert.Equal(status, context.Response.StatusCode);
        Assert.Equal("application/problem+json", context.Response.ContentType);
        Assert.Equal("no-store", context.Response.Headers.CacheControl.ToString());
    }

    private static DefaultHttpContext NewContext(string method, string path)
    {
        var context = new DefaultHttpContext();
        context.Request.Method = method;
        context.Request.Path = path;
        context.Response.Body = new MemoryStream();
        return context;
    }
}
