using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using HlsGateway.Tests.Common;

namespace HlsGateway.Tests.Resilience;

/// <summary>
/// SIGTERM on the real gateway executable (a child process): in-flight requests drain within
/// Gateway:Hosting:ShutdownTimeout, new connections are refused, and the process exits.
/// </summary>
public sealed class GracefulShutdownTests
{
    private static async Task<(LocalProcess Process, int Port)> StartGatewayAsync(TestOrigin origin, string shutdownTimeout)
    {
        var port = LocalProcess.FreeTcpPort();
        var dll = GatewayExecutable.Dll();
        var process = LocalProcess.Start(GatewayExecutable.Dotnet(), [dll,
            $"--Kestrel:Endpoints:Http:Url=http://127.0.0.1:{port}",
            $"--Gateway:Origins:o={origin.BaseUrl}",
            $"--Gateway:Hosting:ShutdownTimeout={shutdownTimeout}",
            "--Gateway:Proxy:RequestTimeout=00:00:30"], workingDirectory: Path.GetDirectoryName(dll));
        var started = Stopwatch.StartNew();
        while (!process.Output.Contains("HLS gateway listening", StringComparison.Ordinal))
        {
            Assert.False(process.HasExited, "the gateway exited at start-up:\n" + process.Output);
            Assert.True(started.Elapsed < TimeSpan.FromSeconds(40), "the gateway did not start:\n" + process.Output);
            await Task.Delay(100);
        }
        return (process, port);
    }

    private static async Task SigTermAsync(LocalProcess process)
    {
        var (code, output) = await LocalProcess.RunAsync("kill", ["-TERM", process.Id.ToString()], TimeSpan.FromSeconds(10));
        Assert.True(code == 0, "kill -TERM failed: " + output);
    }

    private static async Task<bool> AcceptsConnectionsAsync(int port)
    {
        try
        {
            using var c = new TcpClient();
            await c.ConnectAsync(IPAddress.Loopback, port);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    [Fact]
    public async Task Sigterm_drains_an_in_flight_request_then_exits()
    {
        await using var origin = await TestOrigin.StartAsync();
        var body = new byte[256 * 1024];
        new Random(3).NextBytes(body);
        origin.Set("/live/slow.ts", body);
        origin.Fault = OriginFault.Slow;
        origin.Delay = TimeSpan.FromSeconds(4);
        var (process, port) = await StartGatewayAsync(origin, "00:00:15");
        await using var _ = process;
        using var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(30) };

        var inflight = client.GetAsync("/hls/o/live/slow.ts");
        var wait = Stopwatch.StartNew();
        while (origin.Hits("/live/slow.ts") == 0)
        {
            Assert.True(wait.Elapsed < TimeSpan.FromSeconds(15), "the request never reached the origin");
            await Task.Delay(20);
        }

        var sigterm = Stopwatch.StartNew();
        await SigTermAsync(process);

        // The listener closes at once; the in-flight request keeps going.
        var refusedWhileDraining = false;
        while (!inflight.IsCompleted && sigterm.Elapsed < TimeSpan.FromSeconds(15))
        {
            if (!await AcceptsConnectionsAsync(port))
            {
                refusedWhileDraining = !inflight.IsCompleted;
                break;
            }
            await Task.Delay(50);
        }

        using var response = await inflight;
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(body, await response.Content.ReadAsByteArrayAsync());
        Assert.True(refusedWhileDraining, "new connections were still accepted while draining");

        using var exit = new CancellationTokenSource(TimeSpan.FromSeconds(15 + 10));
        await process.WaitForExitAsync(exit.Token);
        Assert.True(process.HasExited);
        Assert.True(sigterm.Elapsed < TimeSpan.FromSeconds(15 + 10), $"exit took {sigterm.Elapsed.TotalSeconds:0.0} s");
        Assert.DoesNotContain("Unhandled exception", process.Output, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task Sigterm_gives_up_on_requests_longer_than_the_shutdown_timeout()
    {
        await using var origin = await TestOrigin.StartAsync();
        origin.Set("/live/stuck.ts", new byte[1000]);
        origin.Fault = OriginFault.Slow;
        origin.Delay = TimeSpan.FromSeconds(60);
        var (process, port) = await StartGatewayAsync(origin, "00:00:02");
        await using var _ = process;
        using var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(40) };

        var inflight = client.GetAsync("/hls/o/live/stuck.ts");
        var wait = Stopwatch.StartNew();
        while (origin.Hits("/live/stuck.ts") == 0)
        {
            Assert.True(wait.Elapsed < TimeSpan.FromSeconds(15), "the request never reached the origin");
            await Task.Delay(20);
        }

        var sigterm = Stopwatch.StartNew();
        await SigTermAsync(process);
        using var exit = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        await process.WaitForExitAsync(exit.Token);
        var exitedAfter = sigterm.Elapsed;

        // bounded by the 2 s timeout (plus start-up slack on a loaded machine), not by the 60 s origin
        Assert.True(exitedAfter < TimeSpan.FromSeconds(12), $"exit took {exitedAfter.TotalSeconds:0.0} s with a 2 s shutdown timeout");
        // the abandoned player sees its connection end, it does not hang
        var ended = await Task.WhenAny(inflight, Task.Delay(TimeSpan.FromSeconds(10)));
        Assert.Same(inflight, ended);
        try
        {
            using var response = await inflight;
            Assert.NotEqual(HttpStatusCode.OK, response.StatusCode);
        }
        catch (HttpRequestException)
        {
            // connection closed by the exiting gateway: expected
        }
    }
}
