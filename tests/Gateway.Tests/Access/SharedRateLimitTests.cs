using System.Net;
using HlsGateway.Tests.Common;

namespace HlsGateway.Tests.Access;

/// <summary><c>Gateway:RateLimits:Shared=true</c>: two gateway instances draw from one bucket per client in a real redis-server.</summary>
public sealed class SharedRateLimitTests
{
    private static Dictionary<string, string?> Settings(TestOrigin origin, RedisServer redis, bool shared)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Gateway:Origins:news"] = origin.BaseUrl,
            ["Gateway:Redis"] = redis.ConnectionString,
            ["Gateway:RateLimits:Playlist:PermitsPerSecond"] = "1",
            ["Gateway:RateLimits:Playlist:Burst"] = "4",
        };
        if (shared)
        {
            settings["Gateway:RateLimits:Shared"] = "true"; // absent: the default, per instance
        }
        return settings;
    }

    private static async Task<List<HttpStatusCode>> AlternateAsync(GatewayHost a, GatewayHost b, int count)
    {
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < count; i++)
        {
            using var r = await (i % 2 == 0 ? a : b).Client.GetAsync("/hls/news/live/index.m3u8");
            statuses.Add(r.StatusCode);
        }
        return statuses;
    }

    [Fact]
    public async Task Limit_is_enforced_across_two_instances_and_falls_back_per_instance_when_redis_is_down()
    {
        await using var origin = await TestOrigin.StartAsync();
        origin.Set("/live/index.m3u8", "#EXTM3U\n#EXT-X-TARGETDURATION:4\n#EXTINF:4,\nseg.ts\n");
        await using var redis = await RedisServer.StartAsync();
        await using var a = await GatewayHost.StartAsync(Settings(origin, redis, shared: true));
        await using var b = await GatewayHost.StartAsync(Settings(origin, redis, shared: true));

        // burst 4 in total, not 4 per instance (1/s refill: at most one more while the loop runs)
        var shared = await AlternateAsync(a, b, 10);
        var ok = shared.Count(s => s == HttpStatusCode.OK);
        Assert.True(ok is >= 4 and <= 5, string.Join(",", shared));
        Assert.All(shared, s => Assert.True(s is HttpStatusCode.OK or HttpStatusCode.TooManyRequests, s.ToString()));
        Assert.Equal(HttpStatusCode.TooManyRequests, shared[^1]);
        using (var limited = await b.Client.GetAsync("/hls/news/live/index.m3u8"))
        {
            Assert.Equal(HttpStatusCode.TooManyRequests, limited.StatusCode);
            Assert.True(limited.Headers.RetryAfter?.Delta >= TimeSpan.FromSeconds(1));
        }

        // Redis down: requests are still answered (never a 5xx), each instance limits on its own
        await redis.StopAsync();
        var local = new List<HttpStatusCode>();
        for (var i = 0; i < 6; i++)
        {
            using var r = await a.Client.GetAsync("/hls/news/live/index.m3u8");
            local.Add(r.StatusCode);
        }
        Assert.All(local, s => Assert.True(s is HttpStatusCode.OK or HttpStatusCode.TooManyRequests, s.ToString()));
        Assert.True(local.Count(s => s == HttpStatusCode.OK) is >= 4 and <= 5, string.Join(",", local));
        Assert.Equal(HttpStatusCode.TooManyRequests, local[^1]);
    }

    [Fact]
    public async Task Per_instance_stays_the_default()
    {
        await using var origin = await TestOrigin.StartAsync();
        origin.Set("/live/index.m3u8", "#EXTM3U\n#EXT-X-TARGETDURATION:4\n#EXTINF:4,\nseg.ts\n");
        await using var redis = await RedisServer.StartAsync();
        await using var a = await GatewayHost.StartAsync(Settings(origin, redis, shared: false));
        await using var b = await GatewayHost.StartAsync(Settings(origin, redis, shared: false));
        var statuses = await AlternateAsync(a, b, 8);
        Assert.All(statuses, s => Assert.Equal(HttpStatusCode.OK, s)); // 4 per instance
    }
}
