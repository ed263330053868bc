using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Text.Json;
using HlsGateway.Tests.Common;
using Microsoft.Extensions.Options;
using Xunit.Abstractions;

namespace HlsGateway.Tests.Proxy;

/// <summary>
/// Origin failover (<c>Gateway:OriginSettings:&lt;name&gt;:Backups</c>) end to end: real origins on loopback (nginx
/// processes and Kestrel), the real gateway, players as HttpClient loops. A primary that dies, answers 5xx or hangs
/// is replaced by the backup without a player error; nothing that failed is cached; the primary takes over again
/// once it answers after its cooldown; /stats and /metrics say which URL is active.
/// </summary>
public sealed class OriginFailoverTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(45);

    [Fact]
    public async Task Primary_killed_mid_stream_50_players_see_no_error_and_the_primary_takes_over_again()
    {
        var media = Directory.CreateTempSubdirectory("gw-failover-live").FullName;
        try
        {
            await RunLiveFailoverAsync(media);
        }
        finally
        {
            Directory.Delete(media, recursive: true);
        }
    }

    private async Task RunLiveFailoverAsync(string media)
    {
        const int Players = 50;
        var playlist = Path.Combine(media, "index.m3u8");
        await using var ffmpeg = LocalProcess.Start(Tools.Ffmpeg,
        [
            "-hide_banner", "-loglevel", "error", "-nostdin", "-re", "-f", "lavfi", "-i", "testsrc=size=320x180:rate=25",
            "-c:v", "libx264", "-preset", "ultrafast", "-tune", "zerolatency", "-pix_fmt", "yuv420p", "-g", "25", "-keyint_min", "25", "-sc_threshold", "0",
            "-f", "hls", "-hls_time", "1", "-hls_list_size", "6", "-hls_flags", "temp_file", playlist,
        ], media);
        await WaitUntilAsync(() => File.Exists(playlist) && File.ReadAllText(playlist).Split('\n').Count(l => l.EndsWith(".ts", StringComparison.Ordinal)) >= 3,
            "the ffmpeg live channel has 3 segments", () => ffmpeg.Output);

        await using var primary = await NginxFileOrigin.StartAsync(media);
        await using var backup = await DirectoryOrigin.StartAsync(media);
        await using var gw = await GatewayHost.StartAsync(new Dictionary<string, string?>
        {
            ["Gateway:Origins:live"] = primary.BaseUrl,
            ["Gateway:OriginSettings:live:Backups:0"] = backup.BaseUrl,
            ["Gateway:OriginSettings:live:FailoverCooldown"] = "00:00:02",
            ["Gateway:Proxy:ConnectTimeout"] = "00:00:02",
            ["Gateway:Proxy:RequestTimeout"] = "00:00:05",
        });
        using var client = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = Players * 2 })
        {
            BaseAddress = new Uri(gw.BaseUrl),
            Timeout = TimeSpan.FromSeconds(30),
        };
        var errors = new ConcurrentQueue<string>();
        var segments = new long[1];
        using var stop = new CancellationTokenSource();
        var players = Enumerable.Range(0, Players).Select(_ => Task.Run(() => PlayAsync(client, errors, segments, stop.Token))).ToArray();
        long Segments() => Interlocked.Read(ref segments[0]);

        // 1: every player is at the live edge and gets new segments, from the primary
        await WaitUntilAsync(() => Segments() >= Players * 4, "players fetching live segments through the primary");
        Assert.True(primary.RequestCount > 0, "the primary served the start of the stream");
        Assert.Equal(primary.BaseUrl, ActiveUrl(await StatsAsync(gw.Client), "live"));

        // 2: SIGKILL the primary mid-stream: the backup takes over, the stream goes on
        await primary.KillAsync();
        var atKill = Segments();
        output.WriteLine($"primary killed after {atKill} segments");
        var stats = await WaitForStatsAsync(gw.Client, s => ActiveUrl(s, "live") == backup.BaseUrl, "the backup is active in /stats");
        var primaryState = Url(stats, "live", primary.BaseUrl);
        Assert.Contains(primaryState.GetProperty("state").GetString(), new[] { "down", "probing" });
        Assert.True(primaryState.GetProperty("failures").GetInt64() >= 1);
        Assert.Equal("primary", primaryState.GetProperty("role").GetString());
        await WaitUntilAsync(() => Segments() >= atKill + (Players * 3), "players fetching segments from the backup");
        var metrics = await gw.Client.GetStringAsync("/metrics");
        Assert.Equal(1, Metric(metrics, $"hlsgw_origin_active_url{{origin=\"live\",url=\"{backup.BaseUrl}\"}}"));
        Assert.Equal(0, Metric(metrics, $"hlsgw_origin_active_url{{origin=\"live\",url=\"{primary.BaseUrl}\"}}"));
        Assert.True(Metric(metrics, $"hlsgw_origin_failovers_total{{origin=\"live\",from=\"{primary.BaseUrl}\",to=\"{backup.BaseUrl}\"}}") >= 1);

        // 3: the primary comes back on its port: after the cooldown a request probes it and it is active again
        var beforeRestart = primary.RequestCount;
        await primary.RestartAsync();
        await WaitForStatsAsync(gw.Client, s => ActiveUrl(s, "live") == primary.BaseUrl, "the primary is active again in /stats");
        var atRestore = Segments();
        await WaitUntilAsync(() => Segments() >= atRestore + (Players * 2), "players fetching segments from the primary again");
        Assert.True(primary.RequestCount > beforeRestart, "the restarted primary serves the stream");
        metrics = await gw.Client.GetStringAsync("/metrics");
        Assert.Equal(1, Metric(metrics, $"hlsgw_origin_active_url{{origin=\"live\",url=\"{primary.BaseUrl}\"}}"));
        Assert.True(Metric(metrics, $"hlsgw_origin_failovers_total{{origin=\"live\",from=\"{backup.BaseUrl}\",to=\"{primary.BaseUrl}\"}}") >= 1);

        await stop.CancelAsync();
        await Task.WhenAll(players);
        output.WriteLine($"{Segments()} segments played by {Players} players, {errors.Count} errors");
        Assert.True(errors.IsEmpty, $"{errors.Count} player errors, e.g. " + string.Join(" | ", errors.Take(5)));
    }

    [Fact]
    public async Task Primary_answering_503_is_served_from_the_backup_and_no_5xx_is_cached()
    {
        await using var primary = await TestOrigin.StartAsync();
        await using var backup = await TestOrigin.StartAsync();
        foreach (var o in new[] { primary, backup })
        {
            for (var i = 1; i <= 3; i++)
            {
                o.Set($"/live/seg{i}.ts", Ts(4096, i));
            }
            for (var i = 0; i < 1000; i++)
            {
                o.Set($"/live/more{i}.ts", Ts(1024, 100 + i)); // one new cache miss (an origin fetch) per poll below
            }
        }
        primary.Fault = OriginFault.ServerError;
        primary.ServerErrorStatus = 503;
        await using var gw = await GatewayHost.StartAsync(new Dictionary<string, string?>
        {
            ["Gateway:Origins:news"] = primary.BaseUrl,
            ["Gateway:OriginSettings:news:Backups:0"] = backup.BaseUrl,
            ["Gateway:OriginSettings:news:FailoverCooldown"] = "00:00:01",
        });

        // the 503 is retried on the backup within the same request
        using (var r = await gw.Client.GetAsync("/hls/news/live/seg1.ts"))
        {
            Assert.Equal(HttpStatusCode.OK, r.StatusCode);
            Assert.Equal(Ts(4096, 1), await r.Content.ReadAsByteArrayAsync());
            Assert.Equal("MISS", r.Headers.GetValues("X-Cache").Single());
        }
        Assert.Equal(1, primary.Hits("/live/seg1.ts"));
        Assert.Equal(1, backup.Hits("/live/seg1.ts"));

        // while the primary is out, fetches go straight to the backup, and the cached copy is the backup's 200
        using (var r = await gw.Client.GetAsync("/hls/news/live/seg2.ts"))
        {
            Assert.Equal(HttpStatusCode.OK, r.StatusCode);
        }
        Assert.Equal(0, primary.Hits("/live/seg2.ts"));
        using (var r = await gw.Client.GetAsync("/hls/news/live/seg1.ts"))
        {
            Assert.Equal(HttpStatusCode.OK, r.StatusCode);
            Assert.Equal("HIT", r.Headers.GetValues("X-Cache").Single());
        }
        Assert.Equal(1, primary.Hits("/live/seg1.ts"));
        Assert.Equal(backup.BaseUrl, ActiveUrl(await StatsAsync(gw.Client), "news"));

        // both failing: a clean 502 problem, and it is not cached
        backup.Fault = OriginFault.ServerError;
        backup.ServerErrorStatus = 503;
        using (var r = await gw.Client.GetAsync("/hls/news/live/seg3.ts"))
        {
            Assert.Equal(HttpStatusCode.BadGateway, r.StatusCode);
            Assert.Equal("application/problem+json", r.Content.Headers.ContentType?.MediaType);
        }
        primary.Fault = OriginFault.None;
        backup.Fault = OriginFault.None;
        using (var r = await gw.Client.GetAsync("/hls/news/live/seg3.ts"))
        {
            Assert.Equal(HttpStatusCode.OK, r.StatusCode);
            Assert.Equal(Ts(4096, 3), await r.Content.ReadAsByteArrayAsync());
        }

        // the primary answers again: after its cooldown a fill probes it and it is the active URL again
        var n = 0;
        var stats = await WaitForStatsAsync(gw.Client, s => ActiveUrl(s, "news") == primary.BaseUrl && Url(s, "news", primary.BaseUrl).GetProperty("state").GetString() == "healthy",
            "the primary healthy and active again", async () =>
            {
                using var r = await gw.Client.GetAsync($"/hls/news/live/more{n++}.ts");
                Assert.Equal(HttpStatusCode.OK, r.StatusCode);
            });
        Assert.True(stats.GetProperty("originUrls").EnumerateArray().Single(o => o.GetProperty("origin").GetString() == "news").GetProperty("failovers").GetInt64() >= 2);
    }

    [Fact]
    public async Task Streamed_responses_fail_over_too()
    {
        await using var primary = await TestOrigin.StartAsync();
        await using var backup = await TestOrigin.StartAsync();
        var big = Ts(64 * 1024, 7);
        primary.Set("/live/big.ts", big);
        backup.Set("/live/big.ts", big);
        await using var gw = await GatewayHost.StartAsync(new Dictionary<string, string?>
        {
            ["Gateway:Origins:news"] = primary.BaseUrl,
            ["Gateway:OriginSettings:news:Backups:0"] = backup.BaseUrl,
            ["Gateway:Cache:MaxEntryBytes"] = "4096", // big.ts streams through YARP's forwarder
        });
        using (var r = await gw.Client.GetAsync("/hls/news/live/big.ts"))
        {
            Assert.Equal(HttpStatusCode.OK, r.StatusCode);
            Assert.Equal("BYPASS", r.Headers.GetValues("X-Cache").Single());
        }
        Assert.Equal(1, primary.Hits("/live/big.ts"));

        // known too large: the next request goes to the forwarder directly; the primary's 503 never reaches the client
        primary.Fault = OriginFault.ServerError;
        primary.ServerErrorStatus = 503;
        using (var r = await gw.Client.GetAsync("/hls/news/live/big.ts"))
        {
            Assert.Equal(HttpStatusCode.OK, r.StatusCode);
            Assert.Equal("BYPASS", r.Headers.GetValues("X-Cache").Single());
            Assert.Equal(big, await r.Content.ReadAsByteArrayAsync());
        }
        Assert.Equal(2, primary.Hits("/live/big.ts"));
        Assert.Equal(1, backup.Hits("/live/big.ts"));

        // the primary is out for its cooldown: straight to the backup
        using (var r = await gw.Client.GetAsync("/hls/news/live/big.ts"))
        {
            Assert.Equal(HttpStatusCode.OK, r.StatusCode);
            Assert.Equal(big, await r.Content.ReadAsByteArrayAsync());
        }
        Assert.Equal(2, primary.Hits("/live/big.ts"));
        Assert.Equal(2, backup.Hits("/live/big.ts"));

        // the backup answering 5xx too: a 502 problem, not the origin's 5xx body
        backup.Fault = OriginFault.ServerError;
        using (var r = await gw.Client.GetAsync("/hls/news/live/big.ts"))
        {
            Assert.Equal(HttpStatusCode.BadGateway, r.StatusCode);
            Assert.Equal("application/problem+json", r.Content.Headers.ContentType?.MediaType);
        }
    }

    [Fact]
    public async Task Timeout_on_the_primary_moves_fetches_to_the_backup()
    {
        await using var primary = await TestOrigin.StartAsync();
        await using var backup = await TestOrigin.StartAsync();
        foreach (var o in new[] { primary, backup })
        {
            o.Set("/live/seg1.ts", Ts(2048, 1));
            o.Set("/live/seg2.ts", Ts(2048, 2));
        }
        primary.Fault = OriginFault.Slow;
        primary.Delay = TimeSpan.FromSeconds(30);
        await using var gw = await GatewayHost.StartAsync(new Dictionary<string, string?>
        {
            ["Gateway:Origins:news"] = primary.BaseUrl,
            ["Gateway:OriginSettings:news:Backups:0"] = backup.BaseUrl,
            ["Gateway:Proxy:RequestTimeout"] = "00:00:01",
        });

        var started = DateTime.UtcNow;
        using (var r = await gw.Client.GetAsync("/hls/news/live/seg1.ts"))
        {
            Assert.Equal(HttpStatusCode.OK, r.StatusCode);
            Assert.Equal(Ts(2048, 1), await r.Content.ReadAsByteArrayAsync());
        }
        var first = DateTime.UtcNow - started;
        Assert.True(first < TimeSpan.FromSeconds(20), $"answered after {first.TotalSeconds:0.0} s, not after the primary's 30 s");
        Assert.Equal(1, backup.Hits("/live/seg1.ts"));

        // the next fetch does not wait on the primary again (it is out for the default 10 s cooldown)
        using (var r = await gw.Client.GetAsync("/hls/news/live/seg2.ts"))
        {
            Assert.Equal(HttpStatusCode.OK, r.StatusCode);
        }
        Assert.Equal(0, primary.Hits("/live/seg2.ts"));
        Assert.Equal(1, backup.Hits("/live/seg2.ts"));
        var stats = await StatsAsync(gw.Client);
        Assert.Equal(backup.BaseUrl, ActiveUrl(stats, "news"));
        Assert.StartsWith("timeout", Url(stats, "news", primary.BaseUrl).GetProperty("lastFailure").GetString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("ftp://backup.example/", "Gateway:OriginSettings:news:Backups:0: 'ftp://backup.example/' is not an absolute http(s) URL.")]
    [InlineData("not a url", "Gateway:OriginSettings:news:Backups:0: 'not a url' is not an absolute http(s) URL.")]
    [InlineData("http://backup.example/?x=1", "Gateway:OriginSettings:news:Backups:0: the base URL must not have a query or fragment.")]
    [InlineData("http://127.0.0.1:1/", "Gateway:OriginSettings:news:Backups:0: 'http://127.0.0.1:1/' repeats the origin's URL or another backup.")]
    public void A_bad_backup_url_stops_start_up_naming_the_key(string backup, string error)
    {
        var ex = Assert.Throws<OptionsValidationException>(() => GatewayApp.Build(
        [
            "--urls", "http://127.0.0.1:0",
            "--Gateway:Origins:news=http://127.0.0.1:1/",
            $"--Gateway:OriginSettings:news:Backups:0={backup}",
        ]));
        Assert.Contains(error, ex.Failures);
    }

    [Fact]
    public void A_cooldown_out_of_range_stops_start_up_naming_the_key()
    {
        var ex = Assert.Throws<OptionsValidationException>(() => GatewayApp.Build(
        [
            "--urls", "http://127.0.0.1:0",
            "--Gateway:Origins:news=http://127.0.0.1:1/",
            "--Gateway:OriginSettings:news:Backups:0=http://127.0.0.1:2/",
            "--Gateway:OriginSettings:news:FailoverCooldown=00:00:00.100",
        ]));
        Assert.Contains("Gateway:OriginSettings:news:FailoverCooldown: must be between 1 second and 1 hour.", ex.Failures);
    }

    /// <summary>A player: the live playlist every 500 ms, from the live edge on every new segment once; anything but a good 200 is an error.</summary>
    private static async Task PlayAsync(HttpClient client, ConcurrentQueue<string> errors, long[] segments, CancellationToken stop)
    {
        var playlistUri = new Uri(client.BaseAddress!, "/hls/live/index.m3u8");
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var first = true;
        while (!stop.IsCancellationRequested)
        {
            try
            {
                using var response = await client.GetAsync(playlistUri, stop);
                var text = await response.Content.ReadAsStringAsync(stop);
                if (response.StatusCode != HttpStatusCode.OK || !text.StartsWith("#EXTM3U", StringComparison.Ordinal))
                {
                    errors.Enqueue($"playlist {(int)response.StatusCode}: {text[..Math.Min(text.Length, 200)]}");
                }
                else
                {
                    var uris = text.Split('\n').Select(l => l.Trim()).Where(l => l.Length > 0 && !l.StartsWith('#')).ToList();
                    if (first)
                    {
                        seen.UnionWith(uris.SkipLast(3)); // join at the live edge
                        first = false;
                    }
                    foreach (var uri in uris)
                    {
                        if (!seen.Add(uri))
                        {
                            continue;
                        }
                        using var segment = await client.GetAsync(new Uri(playlistUri, uri), stop);
                        var body = await segment.Content.ReadAsByteArrayAsync(stop);
                        if (segment.StatusCode != HttpStatusCode.OK || body.Length == 0 || body[0] != 0x47)
                        {
                            errors.Enqueue($"segment {uri} {(int)segment.StatusCode}, {body.Length} bytes");
                        }
                        else
                        {
                            Interlocked.Increment(ref segments[0]);
                        }
                    }
                }
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                errors.Enqueue($"{ex.GetType().Name}: {ex.Message}");
            }
            try
            {
                await Task.Delay(500, stop);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private static byte[] Ts(int n, int seed)
    {
        var b = new byte[n];
        new Random(seed).NextBytes(b);
        b[0] = 0x47;
        return b;
    }

    private static async Task<JsonElement> StatsAsync(HttpClient client) =>
        JsonDocument.Parse(await client.GetStringAsync("/stats")).RootElement;

    private static string? ActiveUrl(JsonElement stats, string origin) =>
        stats.GetProperty("originUrls").EnumerateArray().FirstOrDefault(o => o.GetProperty("origin").GetString() == origin) is { ValueKind: JsonValueKind.Object } o
            ? o.GetProperty("activeUrl").GetString()
            : null;

    private static JsonElement Url(JsonElement stats, string origin, string url) =>
        stats.GetProperty("originUrls").EnumerateArray().Single(o => o.GetProperty("origin").GetString() == origin)
            .GetProperty("urls").EnumerateArray().Single(u => u.GetProperty("url").GetString() == url);

    private static double? Metric(string text, string series)
    {
        var line = text.Split('\n').FirstOrDefault(l => l.StartsWith(series + " ", StringComparison.Ordinal));
        return line is null ? null : double.Parse(line[(line.LastIndexOf(' ') + 1)..], CultureInfo.InvariantCulture);
    }

    private static async Task<JsonElement> WaitForStatsAsync(HttpClient client, Func<JsonElement, bool> condition, string what, Func<Task>? between = null)
    {
        var until = DateTime.UtcNow + Wait;
        var last = default(JsonElement);
        while (DateTime.UtcNow < until)
        {
            last = await StatsAsync(client);
            if (condition(last))
            {
                return last;
            }
            if (between is not null)
            {
                await between();
            }
            await Task.Delay(100);
        }
        throw new Xunit.Sdk.XunitException($"timed out waiting for {what}; originUrls: {(last.ValueKind == JsonValueKind.Object ? last.GetProperty("originUrls").ToString() : "-")}");
    }

    private static async Task WaitUntilAsync(Func<bool> condition, string what, Func<string>? detail = null)
    {
        var until = DateTime.UtcNow + Wait;
        while (!condition())
        {
            if (DateTime.UtcNow >= until)
            {
                throw new Xunit.Sdk.XunitException($"timed out waiting for {what}. {detail?.Invoke()}");
            }
            await Task.Delay(100);
        }
    }
}
