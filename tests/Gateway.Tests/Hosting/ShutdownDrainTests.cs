using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using HlsGateway.Hosting;
using HlsGateway.Tests.Common;
using Microsoft.Extensions.Options;

namespace HlsGateway.Tests.Hosting;

/// <summary>
/// Gateway:Hosting:DrainDelay (issue 14.5): on SIGTERM the real gateway executable answers /health/ready 503 at
/// once, keeps serving in-flight and new requests (and /health/live 200) for the drain window, then stops
/// gracefully and exits 0. Also the same window on an in-process host stop, and the option's validation.
/// </summary>
public sealed class ShutdownDrainTests
{
    private static readonly TimeSpan Drain = TimeSpan.FromSeconds(6);

    private static async Task<TestOrigin> StartOriginAsync()
    {
        var origin = await TestOrigin.StartAsync();
        for (var i = 0; i < 4; i++)
        {
            origin.Set($"/live/seg{i}.ts", new byte[2000 + i]);
        }
        origin.Set("/live/slow.ts", new byte[5000]);
        origin.Fault = OriginFault.Slow;
        origin.FaultPathContains = "slow";
        origin.Delay = TimeSpan.FromSeconds(2);
        return origin;
    }

    private static async Task<(HttpStatusCode Status, JsonElement Body)> GetJsonAsync(HttpClient client, string path)
    {
        using var response = await client.GetAsync(path);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return (response.StatusCode, json.RootElement.Clone());
    }

    [Fact]
    public async Task Sigterm_turns_ready_503_at_once_keeps_serving_for_the_drain_window_then_exits_0()
    {
        await using var origin = await StartOriginAsync();
        var port = LocalProcess.FreeTcpPort();
        var dll = GatewayExecutable.Dll();
        await using var process = LocalProcess.Start(GatewayExecutable.Dotnet(), [dll,
            $"--Kestrel:Endpoints:Http:Url=http://127.0.0.1:{port}",
            $"--Gateway:Origins:o={origin.BaseUrl}",
            "--Gateway:Hosting:ShutdownTimeout=00:00:20",
            $"--Gateway:Hosting:DrainDelay={Drain}"], workingDirectory: Path.GetDirectoryName(dll));
        var wait = Stopwatch.StartNew();
        while (!process.Output.Contains("HLS gateway listening", StringComparison.Ordinal))
        {
            Assert.False(process.HasExited, "the gateway exited at start-up:\n" + process.Output);
            Assert.True(wait.Elapsed < TimeSpan.FromSeconds(40), "the gateway did not start:\n" + process.Output);
            await Task.Delay(100);
        }
        using var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(30) };
        var (status, body) = await GetJsonAsync(client, "/health/ready");
        Assert.True(status == HttpStatusCode.OK, body.ToString());
        Assert.Equal("ready", body.GetProperty("state").GetString());

        // a request in flight across the signal (the origin answers after 2 s)
        var inflight = client.GetAsync("/hls/o/live/slow.ts");
        while (origin.Hits("/live/slow.ts") == 0)
        {
            Assert.True(wait.Elapsed < TimeSpan.FromSeconds(60), "the slow request never reached the origin");
            await Task.Delay(20);
        }

        var sigterm = Stopwatch.StartNew();
        var (code, output) = await LocalProcess.RunAsync("kill", ["-TERM", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)], TimeSpan.FromSeconds(10));
        Assert.True(code == 0, "kill -TERM failed: " + output);

        do
        {
            (status, body) = await GetJsonAsync(client, "/health/ready");
        }
        while (status == HttpStatusCode.OK && sigterm.Elapsed < Drain);
        Assert.True(status == HttpStatusCode.ServiceUnavailable, $"ready was still {status} {sigterm.Elapsed.TotalSeconds:0.0} s after SIGTERM: {body}");
        Assert.Equal("Unhealthy", body.GetProperty("status").GetString());
        Assert.Equal("draining", body.GetProperty("state").GetString());
        Assert.StartsWith("lifecycle: draining", body.GetProperty("reasons")[0].GetString(), StringComparison.Ordinal);

        // still inside the window: a new media request (a miss through the origin), liveness, metrics
        using (var media = await client.GetAsync("/hls/o/live/seg1.ts"))
        {
            Assert.Equal(HttpStatusCode.OK, media.StatusCode);
            Assert.Equal(2001, (await media.Content.ReadAsByteArrayAsync()).Length);
        }
        (status, body) = await GetJsonAsync(client, "/health/live");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("draining", body.GetProperty("state").GetString());
        var metrics = await client.GetStringAsync("/metrics");
        Assert.Contains("\nhlsgw_readiness_state{state=\"draining\"} 1", metrics, StringComparison.Ordinal);
        // new connections too, not only the pooled one
        using (var fresh = new HttpClient { BaseAddress = client.BaseAddress })
        using (var media = await fresh.GetAsync("/hls/o/live/seg2.ts"))
        {
            Assert.Equal(HttpStatusCode.OK, media.StatusCode);
        }
        var checkedAt = sigterm.Elapsed;
        Assert.True(checkedAt < Drain, $"the checks above took until {checkedAt.TotalSeconds:0.0} s, past the {Drain.TotalSeconds} s window: inconclusive");

        using (var response = await inflight)
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal(5000, (await response.Content.ReadAsByteArrayAsync()).Length);
        }

        using var exit = new CancellationTokenSource(TimeSpan.FromSeconds(40));
        await process.WaitForExitAsync(exit.Token);
        var exitedAfter = sigterm.Elapsed;
        Assert.Equal(0, process.ExitCode);
        Assert.True(exitedAfter >= Drain - TimeSpan.FromMilliseconds(100), $"exited {exitedAfter.TotalSeconds:0.00} s after SIGTERM, before the {Drain.TotalSeconds} s drain window ended");
        Assert.Contains("Drain window of", process.Output, StringComparison.Ordinal);
        Assert.Contains("Drain window over", process.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("Unhandled exception", process.Output, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task A_host_stop_drains_too_ready_503_while_media_is_served_then_the_listener_closes()
    {
        await using var origin = await StartOriginAsync();
        var gateway = await GatewayHost.StartAsync(new Dictionary<string, string?>
        {
            ["Gateway:Origins:o"] = origin.BaseUrl,
            ["Gateway:Hosting:DrainDelay"] = "00:00:03",
        });
        var port = new Uri(gateway.BaseUrl).Port;
        var stop = Stopwatch.StartNew();
        var stopping = gateway.DisposeAsync().AsTask(); // StopAsync: no ApplicationStopping yet while the window runs
        using var client = new HttpClient { BaseAddress = new Uri(gateway.BaseUrl), Timeout = TimeSpan.FromSeconds(30) };
        HttpStatusCode status;
        JsonElement body;
        do
        {
            (status, body) = await GetJsonAsync(client, "/health/ready");
        }
        while (status == HttpStatusCode.OK && stop.Elapsed < TimeSpan.FromSeconds(3));
        Assert.Equal(HttpStatusCode.ServiceUnavailable, status);
        Assert.Equal("draining", body.GetProperty("state").GetString());
        using (var media = await client.GetAsync("/hls/o/live/seg0.ts"))
        {
            Assert.Equal(HttpStatusCode.OK, media.StatusCode);
        }
        Assert.True(stop.Elapsed < TimeSpan.FromSeconds(3), $"checked at {stop.Elapsed.TotalSeconds:0.0} s, past the 3 s window: inconclusive");
        Assert.False(stopping.IsCompleted);

        await stopping;
        Assert.True(stop.Elapsed >= TimeSpan.FromSeconds(2.9), $"the stop took {stop.Elapsed.TotalSeconds:0.00} s, shorter than the window");
        using var tcp = new TcpClient();
        await Assert.ThrowsAnyAsync<SocketException>(() => tcp.ConnectAsync(IPAddress.Loopback, port));
    }

    [Fact]
    public void A_drain_delay_that_is_negative_or_not_shorter_than_the_shutdown_timeout_stops_start_up_naming_the_key()
    {
        var ex = Assert.Throws<OptionsValidationException>(() => GatewayApp.Build([
            "--Kestrel:Endpoints:Http:Url=http://127.0.0.1:0",
            "--Gateway:Hosting:ShutdownTimeout=00:00:10",
            "--Gateway:Hosting:DrainDelay=00:00:10",
        ]));
        var error = Assert.Single(ex.Failures);
        Assert.Contains("Gateway:Hosting:DrainDelay", error, StringComparison.Ordinal);
        Assert.Contains("shorter than Gateway:Hosting:ShutdownTimeout", error, StringComparison.Ordinal);

        ex = Assert.Throws<OptionsValidationException>(() => GatewayApp.Build([
            "--Kestrel:Endpoints:Http:Url=http://127.0.0.1:0",
            "--Gateway:Hosting:DrainDelay=-00:00:01",
        ]));
        Assert.Contains("Gateway:Hosting:DrainDelay", Assert.Single(ex.Failures), StringComparison.Ordinal);

        Assert.Equal(TimeSpan.Zero, new HostingOptions().DrainDelay); // default: no window (docs/health.md says when to set one)
    }
}
