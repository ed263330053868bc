using System.Globalization;
using System.Net;
using HlsGateway.Tests.Common;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace HlsGateway.Tests.Caching;

/// <summary>Origin Cache-Control / Expires / Set-Cookie against a real gateway and a real origin (docs/caching.md).</summary>
public sealed class OriginCacheControlTests
{
    private static Dictionary<string, string?> Settings(TestOrigin origin, params (string Key, string Value)[] extra)
    {
        var d = new Dictionary<string, string?> { ["Gateway:Origins:o"] = origin.BaseUrl };
        foreach (var (k, v) in extra)
        {
            d[k] = v;
        }
        return d;
    }

    private static Task<GatewayHost> StartAsync(Dictionary<string, string?> settings, TimeProvider? time = null) =>
        GatewayHost.StartAsync(settings, time is null ? null : b => b.Services.AddSingleton(time));

    private static string XCache(HttpResponseMessage r) => r.Headers.GetValues("X-Cache").Single();

    [Theory]
    [InlineData("Cache-Control", "no-store")]
    [InlineData("Cache-Control", "private, max-age=60")]
    [InlineData("Set-Cookie", "session=abc; Path=/")]
    public async Task Not_storable_responses_bypass_and_every_request_reaches_the_origin(string header, string value)
    {
        await using var origin = await TestOrigin.StartAsync();
        origin.Set("/user/index.m3u8", "#EXTM3U\n#EXT-X-TARGETDURATION:4\n#EXTINF:4,\nseg1.ts\n#EXT-X-ENDLIST\n");
        origin.SetHeaders("/user/index.m3u8", (header, value));
        await using var gw = await StartAsync(Settings(origin));

        for (var i = 1; i <= 3; i++)
        {
            using var r = await gw.Client.GetAsync("/hls/o/user/index.m3u8");
            Assert.Equal(HttpStatusCode.OK, r.StatusCode);
            Assert.Equal("BYPASS", XCache(r));
            Assert.Equal(i, origin.Hits("/user/index.m3u8"));
            // downstream caches are told the same, never "public"
            var cc = r.Headers.CacheControl!;
            Assert.False(cc.Public);
            Assert.True(cc.Private || cc.NoStore, cc.ToString());
        }
        Assert.Equal(0, origin.ConditionalHits("/user/index.m3u8"));
    }

    [Fact]
    public async Task Concurrent_requests_never_share_a_private_response()
    {
        await using var origin = await TestOrigin.StartAsync();
        origin.Set("/user/seg1.ts", new byte[5000]);
        origin.SetHeaders("/user/seg1.ts", ("Cache-Control", "private"));
        origin.Latency = TimeSpan.FromMilliseconds(300); // the requests overlap one fetch
        await using var gw = await StartAsync(Settings(origin));

        var responses = await Task.WhenAll(Enumerable.Range(0, 6).Select(_ => gw.Client.GetAsync("/hls/o/user/seg1.ts")));
        Assert.All(responses, r =>
        {
            Assert.Equal(HttpStatusCode.OK, r.StatusCode);
            Assert.Equal("BYPASS", XCache(r));
            r.Dispose();
        });
        Assert.Equal(6, origin.Hits("/user/seg1.ts"));
    }

    [Fact]
    public async Task A_private_response_is_stored_in_neither_tier()
    {
        await using var redis = await RedisServer.StartAsync();
        await using var origin = await TestOrigin.StartAsync();
        origin.Set("/user/seg1.ts", new byte[5000]);
        origin.SetHeaders("/user/seg1.ts", ("Cache-Control", "no-store"));
        var settings = Settings(origin, ("Gateway:Redis", redis.ConnectionString));
        await using var a = await StartAsync(settings);
        await using var b = await StartAsync(settings);

        using (var r = await a.Client.GetAsync("/hls/o/user/seg1.ts"))
        {
            Assert.Equal("BYPASS", XCache(r));
        }
        using (var r = await b.Client.GetAsync("/hls/o/user/seg1.ts"))
        {
            Assert.Equal("BYPASS", XCache(r));
        }
        Assert.Equal(2, origin.Hits("/user/seg1.ts"));
        Assert.DoesNotContain(await redis.KeysAsync(), k => k.Contains("user/seg1.ts", StringComparison.Ordinal));

        // the origin changes its mind: the next answer is stored again (hit-for-pass ends)
        origin.SetHeaders("/user/seg1.ts");
        using (var r = await a.Client.GetAsync("/hls/o/user/seg1.ts"))
        {
            Assert.Equal("MISS", XCache(r));
        }
        using (var r = await a.Client.GetAsync("/hls/o/user/seg1.ts"))
        {
            Assert.Equal("HIT", XCache(r));
        }
        await Poll.UntilAsync(async () => (await redis.KeysAsync()).Any(k => k.Contains("user/seg1.ts", StringComparison.Ordinal)), TimeSpan.FromSeconds(5), "the shared entry");
    }

    [Fact]
    public async Task Ignored_set_cookie_is_cached_as_usual()
    {
        await using var origin = await TestOrigin.StartAsync();
        origin.Set("/live/seg1.ts", new byte[5000]);
        origin.SetHeaders("/live/seg1.ts", ("Set-Cookie", "lb=1"));
        await using var gw = await StartAsync(Settings(origin, ("Gateway:OriginSettings:o:IgnoreHeaders:0", "set-cookie")));

        using (var r = await gw.Client.GetAsync("/hls/o/live/seg1.ts"))
        {
            Assert.Equal("MISS", XCache(r));
        }
        using (var r = await gw.Client.GetAsync("/hls/o/live/seg1.ts"))
        {
            Assert.Equal("HIT", XCache(r));
        }
        Assert.Equal(1, origin.Hits("/live/seg1.ts"));
    }

    [Fact]
    public async Task Max_age_shortens_the_segment_ttl()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var origin = await TestOrigin.StartAsync();
        origin.Set("/live/seg1.ts", new byte[5000]);
        origin.SetHeaders("/live/seg1.ts", ("Cache-Control", "public, max-age=5"));
        origin.HonourConditionals = false;
        await using var gw = await StartAsync(Settings(origin), time);

        using (var r = await gw.Client.GetAsync("/hls/o/live/seg1.ts"))
        {
            Assert.Equal("MISS", XCache(r));
            Assert.Equal(TimeSpan.FromSeconds(5), r.Headers.CacheControl!.MaxAge);
        }
        time.Advance(TimeSpan.FromSeconds(4));
        using (var r = await gw.Client.GetAsync("/hls/o/live/seg1.ts"))
        {
            Assert.Equal("HIT", XCache(r));
        }
        time.Advance(TimeSpan.FromSeconds(2)); // 6 s: past the origin's max-age, far inside SegmentTtl (10 min)
        using (var r = await gw.Client.GetAsync("/hls/o/live/seg1.ts"))
        {
            Assert.Equal("MISS", XCache(r));
        }
        Assert.Equal(2, origin.Hits("/live/seg1.ts"));
    }

    [Fact]
    public async Task S_maxage_wins_over_max_age_and_expires_counts_from_date()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var origin = await TestOrigin.StartAsync();
        origin.Set("/live/a.ts", new byte[100]);
        origin.SetHeaders("/live/a.ts", ("Cache-Control", "max-age=600, s-maxage=7"));
        origin.Set("/live/b.ts", new byte[100]);
        origin.SetHeaders("/live/b.ts", ("Expires", DateTimeOffset.UtcNow.AddSeconds(30).ToString("R", CultureInfo.InvariantCulture)));
        origin.Set("/live/c.ts", new byte[100]);
        origin.SetHeaders("/live/c.ts", ("Expires", "0")); // invalid: already expired, never fresh
        await using var gw = await StartAsync(Settings(origin), time);

        using (var r = await gw.Client.GetAsync("/hls/o/live/a.ts"))
        {
            Assert.Equal(TimeSpan.FromSeconds(7), r.Headers.CacheControl!.MaxAge);
        }
        using (var r = await gw.Client.GetAsync("/hls/o/live/b.ts"))
        {
            var maxAge = r.Headers.CacheControl!.MaxAge!.Value.TotalSeconds;
            Assert.InRange(maxAge, 28, 31);
        }
        using (var r = await gw.Client.GetAsync("/hls/o/live/c.ts"))
        {
            Assert.Equal("MISS", XCache(r));
        }
        using (var r = await gw.Client.GetAsync("/hls/o/live/c.ts"))
        {
            Assert.Equal("MISS", XCache(r));
        }
        Assert.Equal(2, origin.Hits("/live/c.ts"));
    }

    [Fact]
    public async Task Hls_rule_stays_the_upper_bound_unless_the_origin_is_trusted()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var origin = await TestOrigin.StartAsync();
        origin.Set("/live/seg1.ts", new byte[100]);
        origin.SetHeaders("/live/seg1.ts", ("Cache-Control", "public, max-age=86400"));
        origin.HonourConditionals = false;
        await using var plain = await StartAsync(Settings(origin, ("Gateway:Cache:SegmentTtl", "00:01:00")), time);
        await using var trusted = await StartAsync(Settings(origin, ("Gateway:Cache:SegmentTtl", "00:01:00"), ("Gateway:OriginSettings:o:TrustOriginTtl", "true")), time);

        (await plain.Client.GetAsync("/hls/o/live/seg1.ts")).Dispose();
        (await trusted.Client.GetAsync("/hls/o/live/seg1.ts")).Dispose();
        time.Advance(TimeSpan.FromMinutes(2));
        using (var r = await plain.Client.GetAsync("/hls/o/live/seg1.ts"))
        {
            Assert.Equal("MISS", XCache(r)); // SegmentTtl 1 min caps the origin's day
        }
        using (var r = await trusted.Client.GetAsync("/hls/o/live/seg1.ts"))
        {
            Assert.Equal("HIT", XCache(r));
        }
        Assert.Equal(3, origin.Hits("/live/seg1.ts"));
    }

    [Fact]
    public void Unknown_ignore_header_stops_start_up_naming_the_key()
    {
        var ex = Assert.Throws<OptionsValidationException>(() => GatewayApp.Build([
            "--Kestrel:Endpoints:Http:Url=http://127.0.0.1:0",
            "--Gateway:Origins:o=http://127.0.0.1:1",
            "--Gateway:OriginSettings:o:IgnoreHeaders:0=Expires",
            "--Gateway:OriginSettings:o:IgnoreHeaders:1=Vary",
        ]));
        var all = string.Join("\n", ex.Failures);
        Assert.Contains("Gateway:OriginSettings:o:IgnoreHeaders:1", all);
        Assert.DoesNotContain("IgnoreHeaders:0", all);
    }
}
