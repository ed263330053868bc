using System.Diagnostics;
using HlsGateway.Tests.Common;
using Xunit.Abstractions;

namespace HlsGateway.Tests.ScaleOut;

/// <summary>
/// docs/health.md's balancer setup, end to end: two real gateway instances behind a real HAProxy that polls
/// <c>/health/ready</c>. Stopping one (with Gateway:Hosting:DrainDelay) fails no player request although HAProxy
/// may not retry: readiness turns 503 at once, HAProxy takes the instance out while it still serves, and only
/// then does its listener close.
/// </summary>
public sealed class HaproxyReadinessTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Stopping_an_instance_behind_haproxy_fails_no_request_it_is_taken_out_during_the_drain_window()
    {
        await using var origin = await TestOrigin.StartAsync();
        var files = Enumerable.Range(0, 8).ToDictionary(i => $"/live/seg{i}.ts", i => Enumerable.Range(0, 20_000).Select(b => (byte)(b + i)).ToArray());
        foreach (var (path, body) in files)
        {
            origin.Set(path, body);
        }
        var settings = new Dictionary<string, string?>
        {
            ["Gateway:Origins:o"] = origin.BaseUrl,
            ["Gateway:Hosting:DrainDelay"] = "00:00:03",
        };
        var gw1 = await GatewayHost.StartAsync(settings);
        var gw2 = await GatewayHost.StartAsync(settings);
        var gw2Stopped = false;
        try
        {
            await using var haproxy = await HaproxyBalancer.StartAsync([("gw1", new Uri(gw1.BaseUrl).Port), ("gw2", new Uri(gw2.BaseUrl).Port)]);
            using var client = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 64 }) { BaseAddress = new Uri(haproxy.BaseUrl), Timeout = TimeSpan.FromSeconds(30) };

            // both instances in rotation first (HAProxy's first checks pass)
            var seen = new HashSet<string>();
            var wait = Stopwatch.StartNew();
            while (seen.Count < 2)
            {
                Assert.True(wait.Elapsed < TimeSpan.FromSeconds(20), "HAProxy never sent to both instances:\n" + haproxy.Output);
                using var r = await client.GetAsync("/hls/o/live/seg0.ts");
                if (r.StatusCode == System.Net.HttpStatusCode.OK && r.Headers.TryGetValues("X-Upstream", out var up))
                {
                    seen.Add(up.Single());
                }
            }

            var load = new BoundedLoad().Start(client, workers: 4, (w, n) => $"/hls/o/live/seg{(w + n) % 8}.ts", target => files[target["/hls/o".Length..]]);
            await Task.Delay(1000);
            var stopAt = load.Elapsed;
            var stopWatch = Stopwatch.StartNew();
            await gw2.DisposeAsync(); // drain window (3 s, ready 503), then Kestrel stops
            gw2Stopped = true;
            var stopTook = stopWatch.Elapsed;
            var stoppedAt = load.Elapsed;
            await Task.Delay(1000);
            var samples = await load.StopAsync();

            output.WriteLine(BoundedLoad.Summary(samples) + $"; gw2 stop {stopAt:0.00}-{stoppedAt:0.00} s");
            var lastFromGw2 = samples.Where(s => s.Upstream == "gw2").Select(s => s.At).DefaultIfEmpty(-1).Max();
            output.WriteLine($"last request answered by gw2 sent at {lastFromGw2:0.00} s ({lastFromGw2 - stopAt:0.00} s after the stop began)");
            BoundedLoad.AssertNoFailures(samples);
            Assert.True(stopTook >= TimeSpan.FromSeconds(2.9), $"the stop took {stopTook.TotalSeconds:0.00} s: no drain window");
            Assert.Contains(samples, s => s.At < stopAt && s.Upstream == "gw2");
            // HAProxy stopped sending to gw2 inside the window, before its listener closed
            Assert.True(lastFromGw2 < stopAt + 2.5, $"gw2 still got requests sent {lastFromGw2 - stopAt:0.00} s into the 3 s window");
            Assert.True(samples.Count(s => s.At > stoppedAt && s.Upstream == "gw1") > 20, "gw1 carried on");
        }
        finally
        {
            if (!gw2Stopped)
            {
                await gw2.DisposeAsync();
            }
            await gw1.DisposeAsync();
        }
    }
}
