using System.Diagnostics;
using System.Net;
using HlsGateway.Caching;
using HlsGateway.Tests.Common;
using HlsGateway.Tests.ScaleOut;
using Microsoft.Extensions.DependencyInjection;
using StackExchange.Redis;

namespace HlsGateway.Tests.Caching;

/// <summary>The fleet-wide fill lock against a real redis-server: dead holders, failed fills, cleanup.</summary>
public sealed class FillLockTests
{
    [Fact]
    public async Task A_dead_lock_holder_delays_a_fill_by_at_most_FillLockWait_then_the_instance_fetches_itself()
    {
        await using var redis = await RedisServer.StartAsync();
        await using var origin = await TestOrigin.StartAsync();
        origin.Set("/live/x.ts", new byte[1000]);
        await using var gw = await GatewayHost.StartAsync(new Dictionary<string, string?>
        {
            ["Gateway:Origins:o"] = origin.BaseUrl,
            ["Gateway:Redis"] = redis.ConnectionString,
            ["Gateway:Cache:FillLockWait"] = "00:00:00.500",
        });
        await using var mux = await ConnectionMultiplexer.ConnectAsync(redis.ConnectionString);
        // an instance that took the lock and died
        Assert.True(await mux.GetDatabase().StringSetAsync("hlsgw:lock:o/live/x.ts", "dead-instance:1", TimeSpan.FromSeconds(30), When.NotExists));

        var watch = Stopwatch.StartNew();
        using var response = await gw.Client.GetAsync("/hls/o/live/x.ts");
        var elapsed = watch.Elapsed;

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("MISS", response.Headers.GetValues("X-Cache").Single());
        Assert.Equal(1, origin.Hits("/live/x.ts"));
        Assert.True(elapsed >= TimeSpan.FromMilliseconds(450), $"answered after {elapsed.TotalMilliseconds:0} ms: did not wait for the holder");
        Assert.True(elapsed < TimeSpan.FromSeconds(5), $"answered after {elapsed.TotalMilliseconds:0} ms");
        var metrics = await gw.Client.GetStringAsync("/metrics");
        Assert.Equal(1, MetricsText.Sum(metrics, "hlsgw_fill_lock_total", "outcome=\"fallback\""));
        Assert.Equal("dead-instance:1", (string?)await mux.GetDatabase().StringGetAsync("hlsgw:lock:o/live/x.ts")); // not ours: left alone
        Assert.Equal(0, gw.Services.GetRequiredService<SharedCacheStore>().FillLock.WaiterCount);
    }

    [Fact]
    public async Task A_failed_fill_releases_the_lock_at_once_and_peers_fetch_for_themselves()
    {
        await using var redis = await RedisServer.StartAsync();
        await using var origin = await TestOrigin.StartAsync();
        origin.Set("/live/y.ts", new byte[1000]);
        origin.Fault = OriginFault.ServerError;
        origin.Latency = TimeSpan.FromMilliseconds(300);
        var settings = new Dictionary<string, string?>
        {
            ["Gateway:Origins:o"] = origin.BaseUrl,
            ["Gateway:Redis"] = redis.ConnectionString,
            ["Gateway:Cache:FillLockWait"] = "00:00:10",
        };
        await using var a = await GatewayHost.StartAsync(settings);
        await using var b = await GatewayHost.StartAsync(settings);
        await using var mux = await ConnectionMultiplexer.ConnectAsync(redis.ConnectionString);

        // one takes the lock and fails; the other, waiting on it, is woken by the release and fetches itself (not after 10 s)
        var fromA = a.Client.GetAsync("/hls/o/live/y.ts");
        await Task.Delay(100);
        var watch = Stopwatch.StartNew();
        using var fromB = await b.Client.GetAsync("/hls/o/live/y.ts");
        Assert.Equal(HttpStatusCode.BadGateway, (await fromA).StatusCode);
        Assert.Equal(HttpStatusCode.BadGateway, fromB.StatusCode);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(5), $"B answered after {watch.Elapsed.TotalMilliseconds:0} ms");
        Assert.Equal(2, origin.Hits("/live/y.ts"));
        Assert.False(await mux.GetDatabase().KeyExistsAsync("hlsgw:lock:o/live/y.ts"));
        var metrics = await a.Client.GetStringAsync("/metrics") + await b.Client.GetStringAsync("/metrics");
        // the waiter either is woken by the release (fallback) or, if its poll wins the race, takes the freed lock (acquired)
        Assert.Equal(2, (MetricsText.Sum(metrics, "hlsgw_fill_lock_total", "outcome=\"acquired\"") ?? 0) + (MetricsText.Sum(metrics, "hlsgw_fill_lock_total", "outcome=\"fallback\"") ?? 0));

        // the failure was not cached anywhere: once the origin recovers, one fetch serves both
        origin.Fault = OriginFault.None;
        using (var ok = await a.Client.GetAsync("/hls/o/live/y.ts"))
        {
            Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        }
        using (var ok = await b.Client.GetAsync("/hls/o/live/y.ts"))
        {
            Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
            Assert.Equal("HIT", ok.Headers.GetValues("X-Cache").Single());
        }
        Assert.Equal(3, origin.Hits("/live/y.ts"));
        Assert.False(await mux.GetDatabase().KeyExistsAsync("hlsgw:lock:o/live/y.ts"));
        foreach (var gw in new[] { a, b })
        {
            Assert.Equal(0, gw.Services.GetRequiredService<SharedCacheStore>().FillLock.WaiterCount);
            Assert.Equal(0, gw.Services.GetRequiredService<HlsCache>().InflightCount);
        }
    }
}
