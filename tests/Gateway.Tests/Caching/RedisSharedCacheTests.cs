using System.Net;
using HlsGateway.Tests.Common;

namespace HlsGateway.Tests.Caching;

/// <summary>Two gateway instances sharing one real redis-server.</summary>
public sealed class RedisSharedCacheTests
{
    [Fact]
    public async Task Two_instances_share_one_cache_through_redis()
    {
        await using var redis = await RedisServer.StartAsync();
        await using var origin = await TestOrigin.StartAsync();
        var body = new byte[200_000];
        Random.Shared.NextBytes(body);
        origin.Set("/live/seg1.ts", body);
        var settings = new Dictionary<string, string?> { ["Gateway:Origins:o"] = origin.BaseUrl, ["Gateway:Redis"] = redis.ConnectionString };
        await using var a = await GatewayHost.StartAsync(settings);
        await using var b = await GatewayHost.StartAsync(settings);

        using var first = await a.Client.GetAsync("/hls/o/live/seg1.ts");
        Assert.Equal("MISS", first.Headers.GetValues("X-Cache").Single());
        await Poll.UntilAsync(async () =>
        {
            using var fromB = await b.Client.GetAsync("/hls/o/live/seg1.ts");
            return fromB.Headers.GetValues("X-Cache").Single() == "HIT" && (await fromB.Content.ReadAsByteArrayAsync()).SequenceEqual(body);
        }, TimeSpan.FromSeconds(5));
        Assert.Equal(1, origin.Hits("/live/seg1.ts"));
    }

    [Fact]
    public async Task Redis_outage_degrades_to_memory_and_recovers()
    {
        await using var redis = await RedisServer.StartAsync();
        await using var origin = await TestOrigin.StartAsync();
        for (var i = 0; i < 200; i++)
        {
            origin.Set($"/live/s{i}.ts", new byte[1000]);
        }
        var settings = new Dictionary<string, string?> { ["Gateway:Origins:o"] = origin.BaseUrl, ["Gateway:Redis"] = redis.ConnectionString };
        await using var a = await GatewayHost.StartAsync(settings);
        await using var b = await GatewayHost.StartAsync(settings);
        Assert.Equal(HttpStatusCode.OK, (await a.Client.GetAsync("/hls/o/live/s0.ts")).StatusCode);

        await redis.StopAsync();
        var sw = System.Diagnostics.Stopwatch.StartNew();
        for (var n = 0; n < 20; n++)
        {
            using var r = await a.Client.GetAsync("/hls/o/live/s1.ts");
            Assert.Equal(HttpStatusCode.OK, r.StatusCode); // no failed player request during the outage
        }
        Assert.True(sw.Elapsed < TimeSpan.FromSeconds(10), $"requests during the outage took {sw.Elapsed}");

        await redis.StartAgainAsync();
        // after reconnecting, a fill on A is visible to B again (a fresh path each try, so B's memory tier cannot answer)
        var next = 2;
        await Poll.UntilAsync(async () =>
        {
            var path = $"/live/s{next++}.ts";
            using var ra = await a.Client.GetAsync("/hls/o" + path);
            using var rb = await b.Client.GetAsync("/hls/o" + path);
            return rb.Headers.GetValues("X-Cache").Single() == "HIT";
        }, TimeSpan.FromSeconds(15));
    }
}
