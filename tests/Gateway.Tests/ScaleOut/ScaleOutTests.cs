using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using HlsGateway.Access;
using HlsGateway.Tests.Common;
using Xunit.Abstractions;

namespace HlsGateway.Tests.ScaleOut;

/// <summary>
/// Three gateway instances sharing one redis-server behind nginx (round robin): one origin fetch per
/// segment for the whole fleet, admin and key changes reach every instance, and losing an instance
/// mid-load loses no player request. (Recorder lease takeover is the recorder's, not tested here.)
/// </summary>
public sealed class ScaleOutTests(ITestOutputHelper output)
{
    private const string PlainConfig = """{ "Gateway": { "Origins": { "o": "{origin}" } } }""";

    private static byte[] Bytes(int n, int seed)
    {
        var b = new byte[n];
        new Random(seed).NextBytes(b);
        b[0] = 0x47;
        return b;
    }

    private static async Task<LoadSample[]> CrowdAsync(HttpClient client, string path, int players, byte[] body)
    {
        using var start = new SemaphoreSlim(0);
        var tasks = Enumerable.Range(0, players).Select(_ => Task.Run(async () =>
        {
            await start.WaitAsync();
            var started = Stopwatch.GetTimestamp();
            try
            {
                using var r = await client.GetAsync(path);
                var bytes = await r.Content.ReadAsByteArrayAsync();
                return new LoadSample(0, path, (int)r.StatusCode, r.Headers.TryGetValues("X-Cache", out var c) ? c.First() : null,
                    r.Headers.TryGetValues("X-Upstream", out var u) ? u.First() : null, bytes.AsSpan().SequenceEqual(body), Stopwatch.GetElapsedTime(started).TotalSeconds, null);
            }
            catch (Exception ex)
            {
                return new LoadSample(0, path, 0, null, null, false, Stopwatch.GetElapsedTime(started).TotalSeconds, ex.Message);
            }
        })).ToArray();
        start.Release(players);
        return await Task.WhenAll(tasks);
    }

    [Fact]
    public async Task Flash_crowd_on_a_new_segment_across_three_instances_makes_one_origin_fetch()
    {
        await using var fleet = await GatewayFleet.StartAsync(3, PlainConfig);
        var warm = Bytes(50_000, 1);
        var crowd = Bytes(500_000, 2);
        fleet.Origin.Set("/live/warm.ts", warm);
        fleet.Origin.Set("/live/crowd.ts", crowd);

        // warm-up: opens the client->nginx->instance connections (itself a crowd on a new segment, with a fast origin)
        var first = await CrowdAsync(fleet.Client, "/hls/o/live/warm.ts", 300, warm);
        BoundedLoad.AssertNoFailures(first);
        output.WriteLine("warm-up: " + BoundedLoad.Summary(first) + $"; origin fetches {fleet.Origin.Hits("/live/warm.ts")}");

        fleet.Origin.Latency = TimeSpan.FromMilliseconds(300); // the one fetch overlaps the whole crowd
        var samples = await CrowdAsync(fleet.Client, "/hls/o/live/crowd.ts", 300, crowd);
        output.WriteLine("crowd: " + BoundedLoad.Summary(samples));
        var perInstance = samples.GroupBy(s => s.Upstream).Select(g => $"{g.Key}: {g.Count()} ({string.Join(", ", g.GroupBy(s => s.XCache).Select(x => $"{x.Key} {x.Count()}"))})");
        output.WriteLine("per instance: " + string.Join("; ", perInstance));
        foreach (var gw in fleet.Running)
        {
            var text = await gw.Client.GetStringAsync("/metrics");
            output.WriteLine($"{GatewayFleet.Upstream(gw)} fill lock: " + string.Join(", ", new[] { "acquired", "peer_filled", "fallback", "unavailable" }
                .Select(o => $"{o} {MetricsText.Sum(text, "hlsgw_fill_lock_total", $"outcome=\"{o}\"") ?? 0}")));
        }

        BoundedLoad.AssertNoFailures(samples);
        Assert.Equal(1, fleet.Origin.Hits("/live/warm.ts"));
        Assert.Equal(1, fleet.Origin.Hits("/live/crowd.ts"));
        Assert.Equal(3, samples.Select(s => s.Upstream).Distinct().Count()); // the crowd really was spread over the fleet
        Assert.Single(samples.Where(s => s.XCache == "MISS").Select(s => s.Upstream).Distinct()); // only the fetching instance missed
    }

    [Fact]
    public async Task Allowlist_change_on_one_instance_applies_on_all_three_within_a_second()
    {
        await using var fleet = await GatewayFleet.StartAsync(3, PlainConfig);
        fleet.Origin.Set("/live/seg.ts", new byte[100]);
        foreach (var gw in fleet.Running)
        {
            Assert.Equal(HttpStatusCode.OK, (await gw.Client.GetAsync("/hls/o/live/seg.ts")).StatusCode);
        }

        // only another network: 127.0.0.1 (every client here, and nginx) loses access everywhere
        using (var post = await AdminAsync(fleet.Instances[0]!, HttpMethod.Post, "/admin/allowlist", "{\"cidr\":\"198.51.100.0/24\",\"note\":\"scale-out\"}"))
        {
            Assert.Equal(HttpStatusCode.Created, post.StatusCode);
        }
        var denied = await Task.WhenAll(fleet.Running.Select(gw => TimeUntilStatusAsync(gw.Client, HttpStatusCode.Forbidden)));
        output.WriteLine("deny visible after " + string.Join(", ", denied.Select(t => $"{t.TotalMilliseconds:0} ms")));
        Assert.Equal(HttpStatusCode.Forbidden, (await fleet.Client.GetAsync("/hls/o/live/seg.ts")).StatusCode);

        using (var delete = await AdminAsync(fleet.Instances[2]!, HttpMethod.Delete, "/admin/allowlist?cidr=198.51.100.0/24"))
        {
            Assert.Equal(HttpStatusCode.NoContent, delete.StatusCode);
        }
        var allowed = await Task.WhenAll(fleet.Running.Select(gw => TimeUntilStatusAsync(gw.Client, HttpStatusCode.OK)));
        output.WriteLine("delete visible after " + string.Join(", ", allowed.Select(t => $"{t.TotalMilliseconds:0} ms")));
        Assert.Equal(HttpStatusCode.OK, (await fleet.Client.GetAsync("/hls/o/live/seg.ts")).StatusCode);

        Assert.All(denied.Concat(allowed), t => Assert.True(t <= TimeSpan.FromSeconds(1), $"took {t.TotalMilliseconds:0} ms"));
    }

    [Fact]
    public async Task Signing_key_rotation_in_the_shared_config_reaches_all_three()
    {
        var k1 = Convert.ToBase64String(Bytes(32, 11));
        var k2 = Convert.ToBase64String(Bytes(32, 12));
        static string Config(string kid, string key) =>
            $$"""{ "Gateway": { "Origins": { "o": "{origin}" }, "Signing": { "Required": true, "Keys": { "{{kid}}": "{{key}}" } } } }""";
        await using var fleet = await GatewayFleet.StartAsync(3, Config("k1", k1));
        fleet.Origin.Set("/live/seg.ts", new byte[100]);
        var exp = DateTimeOffset.UtcNow.ToUnixTimeSeconds() + 600;
        string Signed(string key, string kid) => "/hls/o/live/seg.ts?" + UrlSignature.BuildQuery(Convert.FromBase64String(key), kid, exp, "/hls/o/live/seg.ts", null, null);
        foreach (var gw in fleet.Running)
        {
            Assert.Equal(HttpStatusCode.OK, (await gw.Client.GetAsync(Signed(k1, "k1"))).StatusCode);
            Assert.Equal(HttpStatusCode.Forbidden, (await gw.Client.GetAsync(Signed(k2, "k2"))).StatusCode);
        }

        // rotate: k2 replaces k1 in the file all three watch
        var watch = Stopwatch.StartNew();
        await fleet.Config.WriteAsync(Config("k2", k2).Replace("{origin}", fleet.Origin.BaseUrl, StringComparison.Ordinal));
        var visible = await Task.WhenAll(fleet.Running.Select(gw => TimeUntilStatusAsync(gw.Client, HttpStatusCode.OK, Signed(k2, "k2"), TimeSpan.FromSeconds(5), watch)));
        output.WriteLine("new key accepted after " + string.Join(", ", visible.Select(t => $"{t.TotalMilliseconds:0} ms")));
        foreach (var gw in fleet.Running)
        {
            using var retired = await gw.Client.GetAsync(Signed(k1, "k1"));
            Assert.Equal(HttpStatusCode.Forbidden, retired.StatusCode);
            Assert.Contains("Unknown signing key", await retired.Content.ReadAsStringAsync());
        }
        Assert.Equal(HttpStatusCode.OK, (await fleet.Client.GetAsync(Signed(k2, "k2"))).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await fleet.Client.GetAsync(Signed(k1, "k1"))).StatusCode);
    }

    [Fact]
    public async Task Losing_one_instance_mid_load_fails_no_player_request()
    {
        await using var fleet = await GatewayFleet.StartAsync(3, PlainConfig, new Dictionary<string, string?> { ["Gateway:Hosting:ShutdownTimeout"] = "00:00:05" });
        var files = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        for (var i = 0; i < 4; i++)
        {
            files[$"/live/seg{i}.ts"] = Bytes(100_000, i);
        }
        for (var i = 0; i < 5000; i++)
        {
            files[$"/live/new{i}.ts"] = Bytes(4096, 100 + i);
        }
        foreach (var (path, body) in files)
        {
            fleet.Origin.Set(path, body);
        }
        var next = -1;
        var load = new BoundedLoad().Start(fleet.Client, workers: 16,
            (w, n) => "/hls/o" + (w % 2 == 0 ? $"/live/seg{n % 4}.ts" : $"/live/new{Interlocked.Increment(ref next) % 5000}.ts"),
            target => files[target["/hls/o".Length..]]);

        await Task.Delay(1500);
        var victim = GatewayFleet.Upstream(fleet.Instances[1]!);
        var killedAt = load.Elapsed;
        await fleet.StopInstanceAsync(1);
        var stoppedAt = load.Elapsed;
        await Task.Delay(2500);
        var samples = await load.StopAsync();

        output.WriteLine(BoundedLoad.Summary(samples) + $"; instance {victim} stopped at {killedAt:0.00}-{stoppedAt:0.00} s");
        output.WriteLine("answered by: " + string.Join(", ", samples.GroupBy(s => s.Upstream).OrderBy(g => g.Key).Select(g => $"{g.Key}: {g.Count()}")));
        BoundedLoad.AssertNoFailures(samples);
        Assert.Contains(samples, s => s.At < killedAt && s.Upstream == victim);
        Assert.DoesNotContain(samples, s => s.At > stoppedAt + 0.5 && s.Upstream is { } u && u.EndsWith(victim, StringComparison.Ordinal));
        Assert.True(samples.Count(s => s.At > stoppedAt) > 100, "the two remaining instances carried on");
    }

    private static Task<HttpResponseMessage> AdminAsync(GatewayHost gw, HttpMethod method, string path, string? json = null)
    {
        var request = new HttpRequestMessage(method, path);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", GatewayFleet.AdminToken);
        if (json is not null)
        {
            request.Content = new StringContent(json, Encoding.UTF8, "application/json");
        }
        return gw.Client.SendAsync(request);
    }

    private static async Task<TimeSpan> TimeUntilStatusAsync(HttpClient client, HttpStatusCode expected, string target = "/hls/o/live/seg.ts", TimeSpan? limit = null, Stopwatch? since = null)
    {
        var watch = since ?? Stopwatch.StartNew();
        var max = limit ?? TimeSpan.FromSeconds(3);
        while (true)
        {
            using var response = await client.GetAsync(target);
            if (response.StatusCode == expected)
            {
                return watch.Elapsed;
            }
            Assert.True(watch.Elapsed < max, $"still {(int)response.StatusCode} after {watch.Elapsed.TotalMilliseconds:0} ms, expected {(int)expected}");
            await Task.Delay(10);
        }
    }
}
