using System.Diagnostics;
using System.Net;
using HlsGateway.Caching;
using HlsGateway.Tests.Common;
using HlsGateway.Tests.ScaleOut;
using Microsoft.AspNetCore.OutputCaching;
using Microsoft.Extensions.DependencyInjection;
using StackExchange.Redis;

namespace HlsGateway.Tests.Caching;

/// <summary>The fleet-wide fill lock against a real redis-server: dead holders, failed fills, late reads, cleanup.</summary>
public sealed class FillLockTests
{
    [Fact]
    public async Task A_release_that_lands_while_a_waiters_read_is_in_flight_does_not_send_the_waiter_to_the_origin()
    {
        // B's reads are answered by the redis-server at once but reach B's code 600 ms later, as on a loaded box
        // where the GET's continuation runs after the pub/sub release: Redis answered that GET before A's write.
        // Timeline: A fetches for 1 s from t=0; B (t=0.1 s) reads (until 0.7 s), finds A's lock, waits 25 ms,
        // reads again from 0.725 s to 1.325 s; A writes and releases in between.
        var readDelay = TimeSpan.FromMilliseconds(600);
        await using var redis = await RedisServer.StartAsync();
        await using var origin = await TestOrigin.StartAsync();
        origin.Set("/live/warm.ts", new byte[1000]);
        origin.Set("/live/z.ts", new byte[10_000]);
        var settings = new Dictionary<string, string?>
        {
            ["Gateway:Origins:o"] = origin.BaseUrl,
            ["Gateway:Redis"] = redis.ConnectionString,
            ["Gateway:Cache:FillLockWait"] = "00:00:10",
        };
        await using var a = await GatewayHost.StartAsync(settings);
        await using var b = await GatewayHost.StartAsync(settings, builder => LateReads(builder.Services, readDelay));
        foreach (var gw in new[] { a, b })
        {
            using var warm = await gw.Client.GetAsync("/hls/o/live/warm.ts"); // first-request costs out of the timeline
            Assert.Equal(HttpStatusCode.OK, warm.StatusCode);
        }

        origin.Latency = TimeSpan.FromSeconds(1);
        var fromA = a.Client.GetAsync("/hls/o/live/z.ts");
        await Task.Delay(100);
        using var fromB = await b.Client.GetAsync("/hls/o/live/z.ts");
        using var responseA = await fromA;

        Assert.Equal(HttpStatusCode.OK, responseA.StatusCode);
        Assert.Equal(HttpStatusCode.OK, fromB.StatusCode);
        Assert.Equal(10_000, (await fromB.Content.ReadAsByteArrayAsync()).Length);
        Assert.Equal(1, origin.Hits("/live/z.ts"));
        var metrics = await b.Client.GetStringAsync("/metrics");
        Assert.Equal(0, MetricsText.Sum(metrics, "hlsgw_fill_lock_total", "outcome=\"fallback\"") ?? 0);
        Assert.Equal(0, b.Services.GetRequiredService<SharedCacheStore>().FillLock.WaiterCount);
    }

    [Fact]
    public async Task A_holder_whose_shared_write_fails_says_so_and_its_peers_fetch_at_once()
    {
        await using var redis = await RedisServer.StartAsync();
        await using var origin = await TestOrigin.StartAsync();
        origin.Set("/live/w.ts", new byte[1000]);
        origin.Latency = TimeSpan.FromMilliseconds(500);
        await using (var admin = await ConnectionMultiplexer.ConnectAsync(redis.ConnectionString))
        {
            // a real refusal: this user may take fill locks and read, but not write cache entries
            await admin.GetDatabase().ExecuteAsync("ACL", "SETUSER", "holder", "on", ">holder-pw", "+@all", "&*", "%R~*", "~hlsgw:lock:*", "~hlsgw:__MSOCT*", "~hlsgw:allowlist*", "~hlsgw:rl:*");
        }
        var settings = new Dictionary<string, string?>
        {
            ["Gateway:Origins:o"] = origin.BaseUrl,
            ["Gateway:Redis"] = redis.ConnectionString,
            ["Gateway:Cache:FillLockWait"] = "00:00:10",
        };
        await using var a = await GatewayHost.StartAsync(new Dictionary<string, string?>(settings) { ["Gateway:Redis"] = redis.ConnectionString + ",user=holder,password=holder-pw" });
        await using var b = await GatewayHost.StartAsync(settings);
        await using var mux = await ConnectionMultiplexer.ConnectAsync(redis.ConnectionString);

        var fromA = a.Client.GetAsync("/hls/o/live/w.ts");
        await Task.Delay(100);
        var watch = Stopwatch.StartNew();
        using var fromB = await b.Client.GetAsync("/hls/o/live/w.ts");
        var waited = watch.Elapsed;
        using var responseA = await fromA;

        Assert.Equal(HttpStatusCode.OK, responseA.StatusCode);
        Assert.Equal(HttpStatusCode.OK, fromB.StatusCode);
        Assert.True(waited < TimeSpan.FromSeconds(5), $"B answered after {waited.TotalMilliseconds:0} ms: waited for an entry that never came");
        Assert.Equal(2, origin.Hits("/live/w.ts"));
        var metricsA = await a.Client.GetStringAsync("/metrics");
        var metricsB = await b.Client.GetStringAsync("/metrics");
        Assert.Equal(1, MetricsText.Sum(metricsA, "hlsgw_fill_lock_total", "outcome=\"acquired\""));
        Assert.True(MetricsText.Sum(metricsA, "hlsgw_redis_command_duration_seconds_count", "command=\"set\",result=\"error\"") >= 1, "the failed write is counted");
        // told by the release (fallback) or, if its poll wins the race, taking the freed lock (acquired)
        Assert.Equal(1, (MetricsText.Sum(metricsB, "hlsgw_fill_lock_total", "outcome=\"fallback\"") ?? 0) + (MetricsText.Sum(metricsB, "hlsgw_fill_lock_total", "outcome=\"acquired\"") ?? 0));
        Assert.False(await mux.GetDatabase().KeyExistsAsync("hlsgw:lock:o/live/w.ts"));
    }

    /// <summary>Instance-local: the real Redis output-cache store, with every read handed back <paramref name="delay"/> after Redis answered.</summary>
    private static void LateReads(IServiceCollection services, TimeSpan delay)
    {
        var real = services.Last(d => d.ServiceType == typeof(IOutputCacheStore));
        services.Remove(real);
        services.AddSingleton<IOutputCacheStore>(sp => new LateReadStore(
            (IOutputCacheStore)(real.ImplementationInstance ?? real.ImplementationFactory?.Invoke(sp) ?? ActivatorUtilities.CreateInstance(sp, real.ImplementationType!)), delay));
    }

    private sealed class LateReadStore(IOutputCacheStore inner, TimeSpan delay) : IOutputCacheStore
    {
        public async ValueTask<byte[]?> GetAsync(string key, CancellationToken cancellationToken)
        {
            var value = await inner.GetAsync(key, cancellationToken);
            await Task.Delay(delay, cancellationToken);
            return value;
        }

        public ValueTask SetAsync(string key, byte[] value, string[]? tags, TimeSpan validFor, CancellationToken cancellationToken) =>
            inner.SetAsync(key, value, tags, validFor, cancellationToken);

        public ValueTask EvictByTagAsync(string tag, CancellationToken cancellationToken) => inner.EvictByTagAsync(tag, cancellationToken);
    }

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
