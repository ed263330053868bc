using System.Diagnostics;
using System.Net;
using System.Text.Json;
using HlsGateway.Tests.Common;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace HlsGateway.Tests.Health;

/// <summary>
/// Issue 14.5, readiness for a fleet, on the real gateway (real Kestrel, loopback): 503 only before start-up
/// completes (and while draining: Gateway.Tests/Hosting/ShutdownDrainTests), 200 Degraded with the reason
/// while dependencies are down.
/// </summary>
public sealed class ReadinessTests
{
    /// <summary>Holds start-up open in StartedAsync, after Kestrel listens and before ApplicationStarted, until released.</summary>
    private sealed class HeldStartup(Task release) : IHostedLifecycleService
    {
        public Task StartedAsync(CancellationToken cancellationToken) => release.WaitAsync(cancellationToken);

        public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }

    private static async Task<(HttpStatusCode Status, JsonElement Body)> GetJsonAsync(HttpClient client, string path)
    {
        using var response = await client.GetAsync(path);
        var text = await response.Content.ReadAsStringAsync();
        using var json = JsonDocument.Parse(text);
        return (response.StatusCode, json.RootElement.Clone());
    }

    private static string[] Reasons(JsonElement body) => body.GetProperty("reasons").EnumerateArray().Select(r => r.GetString()!).ToArray();

    [Fact]
    public async Task Ready_is_503_until_start_up_completes_while_live_and_media_already_answer()
    {
        await using var origin = await MonitorFixture.StartOriginAsync();
        var port = LocalProcess.FreeTcpPort();
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var app = GatewayApp.Build([$"--Kestrel:Endpoints:Http:Url=http://127.0.0.1:{port}", $"--Gateway:Origins:o1={origin.BaseUrl}"], b =>
        {
            b.Logging.SetMinimumLevel(LogLevel.Warning);
            b.Services.AddHostedService(_ => new HeldStartup(release.Task));
        });
        await using var appScope = app;
        var starting = app.StartAsync();
        using var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(30) };
        try
        {
            await LocalProcess.WaitForPortAsync(port, TimeSpan.FromSeconds(30)); // Kestrel listens; start-up is still held
            Assert.False(starting.IsCompleted);

            var (status, body) = await GetJsonAsync(client, "/health/ready");
            Assert.Equal(HttpStatusCode.ServiceUnavailable, status);
            Assert.Equal("Unhealthy", body.GetProperty("status").GetString());
            Assert.Equal("starting", body.GetProperty("state").GetString());
            Assert.Equal(new[] { "lifecycle: starting: start-up has not completed" }, Reasons(body));
            Assert.False(body.GetProperty("checks").TryGetProperty("origins", out _)); // not probed while not ready: the 503 is immediate
            (status, _) = await GetJsonAsync(client, "/health");
            Assert.Equal(HttpStatusCode.ServiceUnavailable, status); // /health behaves like ready
            (status, body) = await GetJsonAsync(client, "/health/live");
            Assert.Equal(HttpStatusCode.OK, status); // the process serves
            Assert.Equal("starting", body.GetProperty("state").GetString());
            var metrics = await client.GetStringAsync("/metrics");
            Assert.Equal(1, Metrics.MetricsEndpointTests.Value(metrics, "hlsgw_readiness_state", "state=\"starting\""));
            Assert.Equal(0, Metrics.MetricsEndpointTests.Value(metrics, "hlsgw_readiness_state", "state=\"ready\""));
        }
        finally
        {
            release.TrySetResult();
        }
        await starting;

        var (readyStatus, readyBody) = await GetJsonAsync(client, "/health/ready");
        Assert.Equal(HttpStatusCode.OK, readyStatus);
        Assert.Equal("Healthy", readyBody.GetProperty("status").GetString());
        Assert.Equal("ready", readyBody.GetProperty("state").GetString());
        Assert.Equal("up", readyBody.GetProperty("checks").GetProperty("origins").GetProperty("data").GetProperty("o1").GetProperty("status").GetString());
        await app.StopAsync();
    }

    [Fact]
    public async Task Ready_stays_200_Degraded_when_the_only_origin_stops_and_cached_media_is_still_served()
    {
        var origin = await MonitorFixture.StartOriginAsync();
        var originStopped = false;
        try
        {
            await using var gateway = await GatewayHost.StartAsync(MonitorFixture.Settings(origin, ("Monitor:OriginProbeInterval", "00:00:01")));
            var (status, body) = await GetJsonAsync(gateway.Client, "/health/ready");
            Assert.Equal(HttpStatusCode.OK, status);
            Assert.Equal("Healthy", body.GetProperty("status").GetString());
            using (var warm = await gateway.Client.GetAsync("/hls/o1/live/seg2.ts"))
            {
                Assert.Equal(HttpStatusCode.OK, warm.StatusCode);
            }

            await origin.DisposeAsync();
            originStopped = true;
            var watch = Stopwatch.StartNew();
            do
            {
                await Task.Delay(200);
                (status, body) = await GetJsonAsync(gateway.Client, "/health/ready");
                Assert.True(status == HttpStatusCode.OK, body.ToString()); // never 503 on the way
            }
            while (body.GetProperty("status").GetString() != "Degraded" && watch.Elapsed < TimeSpan.FromSeconds(30));
            Assert.Equal("Degraded", body.GetProperty("status").GetString());
            Assert.Equal("ready", body.GetProperty("state").GetString());
            Assert.Equal(new[] { "origins: all 1 down: o1; serving cached copies" }, Reasons(body));
            var o1 = body.GetProperty("checks").GetProperty("origins").GetProperty("data").GetProperty("o1");
            Assert.Equal("down", o1.GetProperty("status").GetString());
            Assert.False(string.IsNullOrEmpty(o1.GetProperty("error").GetString()));

            (status, _) = await GetJsonAsync(gateway.Client, "/health");
            Assert.Equal(HttpStatusCode.OK, status);
            (status, _) = await GetJsonAsync(gateway.Client, "/health/live");
            Assert.Equal(HttpStatusCode.OK, status);
            using var cached = await gateway.Client.GetAsync("/hls/o1/live/seg2.ts");
            Assert.Equal(HttpStatusCode.OK, cached.StatusCode); // what the instance holds it still serves: pulling it would not help
            Assert.Equal(1002, (await cached.Content.ReadAsByteArrayAsync()).Length);
        }
        finally
        {
            if (!originStopped)
            {
                await origin.DisposeAsync();
            }
        }
    }
}
