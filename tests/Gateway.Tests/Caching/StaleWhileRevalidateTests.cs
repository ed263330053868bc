using System.Net;
using HlsGateway.Tests.Common;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace HlsGateway.Tests.Caching;

/// <summary>
/// Gateway:Cache:StaleWhileRevalidate (docs/caching.md): an expired segment or VOD playlist is answered from the old
/// copy while exactly one background fetch renews it; live playlists are never served that way.
/// </summary>
public sealed class StaleWhileRevalidateTests
{
    private const string Vod = "#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:2\n#EXT-X-PLAYLIST-TYPE:VOD\n#EXTINF:2.0,\nseg1.ts\n#EXT-X-ENDLIST\n";
    private const string Live = "#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:2\n#EXT-X-MEDIA-SEQUENCE:{0}\n#EXTINF:2.0,\nseg{0}.ts\n";

    private static string XCache(HttpResponseMessage r) => r.Headers.GetValues("X-Cache").Single();

    private static Task<GatewayHost> StartAsync(TestOrigin origin, FakeTimeProvider time, string swr) =>
        GatewayHost.StartAsync(new Dictionary<string, string?>
        {
            ["Gateway:Origins:o"] = origin.BaseUrl,
            ["Gateway:Cache:StaleWhileRevalidate"] = swr,
            ["Gateway:Cache:StaleIfError"] = "00:00:10",
        }, b => b.Services.AddSingleton<TimeProvider>(time));

    [Theory]
    [InlineData("/v/seg1.ts")]
    [InlineData("/v/vod.m3u8")]
    public async Task An_expired_segment_or_vod_playlist_is_served_old_while_one_background_fetch_renews_it(string path)
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var origin = await TestOrigin.StartAsync();
        var isPlaylist = path.EndsWith(".m3u8", StringComparison.Ordinal);
        var original = isPlaylist ? System.Text.Encoding.UTF8.GetBytes(Vod) : Enumerable.Range(0, 5000).Select(i => (byte)i).ToArray();
        var renewed = isPlaylist ? System.Text.Encoding.UTF8.GetBytes(Vod.Replace("seg1.ts", "seg1b.ts", StringComparison.Ordinal)) : new byte[3000];
        origin.Set(path, original);
        origin.SetHeaders(path, ("Cache-Control", "public, max-age=5"));
        await using var gw = await StartAsync(origin, time, "00:00:30");
        // the playlist body is served without rewriting so bytes compare as sent
        var url = "/hls/o" + path;

        using (var r = await gw.Client.GetAsync(url))
        {
            Assert.Equal("MISS", XCache(r));
        }
        origin.Set(path, renewed);
        origin.Latency = TimeSpan.FromMilliseconds(800); // the background refresh is still running while the crowd arrives
        time.Advance(TimeSpan.FromSeconds(6)); // past max-age=5, inside the 30 s window

        var crowd = await Task.WhenAll(Enumerable.Range(0, 20).Select(async _ =>
        {
            using var r = await gw.Client.GetAsync(url);
            return (r.StatusCode, Cache: XCache(r), Body: await r.Content.ReadAsByteArrayAsync());
        }));
        Assert.All(crowd, c =>
        {
            Assert.Equal(HttpStatusCode.OK, c.StatusCode);
            Assert.Equal("STALE", c.Cache);
        });
        Assert.All(crowd, c => Assert.True(isPlaylist ? System.Text.Encoding.UTF8.GetString(c.Body).Contains("seg1.ts", StringComparison.Ordinal) : c.Body.SequenceEqual(original)));

        // one background fetch renews it; afterwards the new copy is a HIT
        await Poll.UntilAsync(async () =>
        {
            using var r = await gw.Client.GetAsync(url);
            var body = await r.Content.ReadAsByteArrayAsync();
            return XCache(r) == "HIT" && (isPlaylist ? System.Text.Encoding.UTF8.GetString(body).Contains("seg1b.ts", StringComparison.Ordinal) : body.SequenceEqual(renewed));
        }, TimeSpan.FromSeconds(20));
        Assert.Equal(2, origin.Hits(path));
        Assert.Equal(1, origin.ConditionalHits(path)); // the refresh asked with the validator it had
        var metrics = await gw.Client.GetStringAsync("/metrics");
        Assert.Contains("hlsgw_cache_background_refreshes_total{origin=\"o\"} 1", metrics);
    }

    [Fact]
    public async Task A_live_playlist_is_never_served_stale_while_revalidating()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var origin = await TestOrigin.StartAsync();
        origin.Set("/live/index.m3u8", string.Format(System.Globalization.CultureInfo.InvariantCulture, Live, 1));
        await using var gw = await StartAsync(origin, time, "00:00:30");

        using (var r = await gw.Client.GetAsync("/hls/o/live/index.m3u8"))
        {
            Assert.Equal("MISS", XCache(r));
        }
        origin.Set("/live/index.m3u8", string.Format(System.Globalization.CultureInfo.InvariantCulture, Live, 2));
        time.Advance(TimeSpan.FromSeconds(2)); // the live TTL (half the target duration) has passed
        using (var r = await gw.Client.GetAsync("/hls/o/live/index.m3u8"))
        {
            Assert.Equal("MISS", XCache(r)); // fetched before answering: a player never sees an old live window
            Assert.Contains("seg2.ts", await r.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }
        Assert.DoesNotContain("hlsgw_cache_background_refreshes_total{origin=\"o\"} 1", await gw.Client.GetStringAsync("/metrics"));
    }

    [Fact]
    public async Task Past_the_window_and_when_off_an_expired_segment_is_fetched_before_answering()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var origin = await TestOrigin.StartAsync();
        origin.Set("/v/a.ts", new byte[100]);
        origin.Set("/v/b.ts", new byte[100]);
        origin.SetHeaders("/v/a.ts", ("Cache-Control", "max-age=5"));
        origin.SetHeaders("/v/b.ts", ("Cache-Control", "max-age=5"));
        await using var off = await StartAsync(origin, time, "00:00:00");
        await using var on = await StartAsync(origin, time, "00:00:02");
        (await off.Client.GetAsync("/hls/o/v/a.ts")).Dispose();
        (await on.Client.GetAsync("/hls/o/v/b.ts")).Dispose();
        origin.Set("/v/a.ts", new byte[200]);
        origin.Set("/v/b.ts", new byte[200]);
        time.Advance(TimeSpan.FromSeconds(8)); // 3 s past max-age: beyond the 2 s window, inside stale-if-error (10 s)

        foreach (var (gw, path) in new[] { (off, "/hls/o/v/a.ts"), (on, "/hls/o/v/b.ts") })
        {
            using var r = await gw.Client.GetAsync(path);
            Assert.Equal("MISS", XCache(r));
            Assert.Equal(200, (await r.Content.ReadAsByteArrayAsync()).Length);
        }
    }
}
