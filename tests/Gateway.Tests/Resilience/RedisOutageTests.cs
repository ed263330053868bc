using System.Diagnostics;
using HlsGateway.Tests.Common;
using HlsGateway.Tests.ScaleOut;
using Xunit.Abstractions;

namespace HlsGateway.Tests.Resilience;

/// <summary>
/// redis-server killed and restarted while players load a gateway: no player request fails (the
/// gateway falls back to its memory tier and local origin fetches), the connection comes back
/// within 5 s, the shared tier is used again, and <c>hlsgw_redis_connected</c> shows the outage.
/// </summary>
public sealed class RedisOutageTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Redis_killed_and_restarted_mid_load_fails_no_player_request_and_the_shared_tier_returns()
    {
        await using var redis = await RedisServer.StartAsync();
        await using var origin = await TestOrigin.StartAsync();
        var files = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        for (var i = 0; i < 4; i++)
        {
            files[$"/live/seg{i}.ts"] = Bytes(100_000, i);
        }
        for (var i = 0; i < 20_000; i++)
        {
            files[$"/live/new{i}.ts"] = Bytes(2048, 100 + i);
        }
        for (var i = 0; i < 200; i++)
        {
            files[$"/live/probe{i}.ts"] = Bytes(1000, 50_000 + i);
        }
        foreach (var (path, body) in files)
        {
            origin.Set(path, body);
        }
        var settings = new Dictionary<string, string?> { ["Gateway:Origins:o"] = origin.BaseUrl, ["Gateway:Redis"] = redis.ConnectionString };
        await using var a = await GatewayHost.StartAsync(settings);
        await using var b = await GatewayHost.StartAsync(settings);
        Assert.Equal(1, await RedisGaugeAsync(a));
        using var client = new HttpClient(new SocketsHttpHandler { UseCookies = false, MaxConnectionsPerServer = 64 })
        {
            BaseAddress = new Uri(a.BaseUrl),
            Timeout = TimeSpan.FromSeconds(30), // a hang shows up as a failed sample
        };

        // half the players replay cached segments, half fetch segments nobody has seen (shared get, fill lock, origin, shared set)
        var next = -1;
        var load = new BoundedLoad().Start(client, workers: 8,
            (w, n) => "/hls/o" + (w % 2 == 0 ? $"/live/seg{n % 4}.ts" : $"/live/new{Interlocked.Increment(ref next) % 20_000}.ts"),
            target => files[target["/hls/o".Length..]]);
        await Task.Delay(1500);

        await redis.StopAsync();
        var killedAt = load.Elapsed;
        var down = await TimeUntilAsync(async () => await RedisGaugeAsync(a) == 0, TimeSpan.FromSeconds(5));
        await Task.Delay(2000); // players keep going on the memory tier

        await redis.StartAgainAsync();
        var restartedAt = load.Elapsed;
        var restart = Stopwatch.StartNew();
        var up = await TimeUntilAsync(async () => await RedisGaugeAsync(a) == 1 && await RedisGaugeAsync(b) == 1, TimeSpan.FromSeconds(5), restart);
        // the shared tier is back: a fill on A is a HIT on B (a fresh path each try, so B's memory cannot answer)
        var probe = 0;
        var shared = await TimeUntilAsync(async () =>
        {
            var path = $"/hls/o/live/probe{probe++}.ts";
            using var ra = await a.Client.GetAsync(path);
            using var rb = await b.Client.GetAsync(path);
            return rb.Headers.GetValues("X-Cache").Single() == "HIT";
        }, TimeSpan.FromSeconds(5), restart);
        await Task.Delay(1000);
        var samples = await load.StopAsync();

        var metrics = await a.Client.GetStringAsync("/metrics");
        output.WriteLine($"Redis killed at {killedAt:0.00} s, gauge 0 after {down.TotalMilliseconds:0} ms; restarted at {restartedAt:0.00} s, gauge 1 after {up.TotalMilliseconds:0} ms, shared tier HIT on B after {shared.TotalMilliseconds:0} ms ({probe} probes)");
        output.WriteLine("all: " + BoundedLoad.Summary(samples));
        output.WriteLine("during the outage: " + BoundedLoad.Summary(samples.Where(s => s.At > killedAt && s.At < restartedAt).ToArray()));
        output.WriteLine("fill lock on A: " + string.Join(", ", new[] { "acquired", "peer_filled", "fallback", "unavailable" }
            .Select(o => $"{o} {MetricsText.Sum(metrics, "hlsgw_fill_lock_total", $"outcome=\"{o}\"") ?? 0}"))
            + $"; failed redis commands {MetricsText.Sum(metrics, "hlsgw_redis_command_duration_seconds_count", "result=\"error\"") ?? 0}");

        BoundedLoad.AssertNoFailures(samples);
        Assert.True(samples.Count(s => s.At > killedAt + 0.5 && s.At < restartedAt && s.XCache == "MISS") > 20, "fills kept going during the outage");
        Assert.True(up < TimeSpan.FromSeconds(5), $"reconnected after {up}");
        Assert.True(shared < TimeSpan.FromSeconds(5), $"shared tier back after {shared}");
        Assert.True(MetricsText.Sum(metrics, "hlsgw_fill_lock_total", "outcome=\"unavailable\"") > 0, "fills during the outage ran without the lock");
    }

    private static async Task<double?> RedisGaugeAsync(GatewayHost gw) =>
        MetricsText.Sum(await gw.Client.GetStringAsync("/metrics"), "hlsgw_redis_connected");

    private static async Task<TimeSpan> TimeUntilAsync(Func<Task<bool>> condition, TimeSpan limit, Stopwatch? since = null)
    {
        var watch = since ?? Stopwatch.StartNew();
        while (!await condition())
        {
            Assert.True(watch.Elapsed < limit, $"condition not met within {limit.TotalSeconds} s");
            await Task.Delay(50);
        }
        return watch.Elapsed;
    }

    private static byte[] Bytes(int n, int seed)
    {
        var b = new byte[n];
        new Random(seed).NextBytes(b);
        b[0] = 0x47;
        return b;
    }
}
