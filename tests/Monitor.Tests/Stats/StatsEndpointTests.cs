using System.Net;
using System.Text.Json;
using HlsGateway.Tests.Common;

namespace HlsGateway.Tests.Stats;

public sealed class StatsEndpointTests
{
    [Fact]
    public async Task Stats_ReportsRatesHitRatioLatencyViewersAndOrigins()
    {
        await using var origin = await MonitorFixture.StartOriginAsync();
        await using var gateway = await GatewayHost.StartAsync(MonitorFixture.Settings(origin));

        // 1 miss + 9 hits on segments, 1 miss + 1 hit on the playlist
        for (var i = 0; i < 10; i++)
        {
            using var r = await gateway.Client.GetAsync("/hls/o1/live/seg1.ts");
            Assert.Equal(HttpStatusCode.OK, r.StatusCode);
        }
        for (var i = 0; i < 2; i++)
        {
            using var r = await gateway.Client.GetAsync("/hls/o1" + MonitorFixture.Playlist);
            Assert.Equal(HttpStatusCode.OK, r.StatusCode);
        }
        await Task.Delay(1100); // the window sums complete seconds

        using var response = await gateway.Client.GetAsync("/stats");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var s = json.RootElement;
        Assert.True(s.GetProperty("uptimeSeconds").GetDouble() >= 1);
        Assert.Equal(12, s.GetProperty("requestsInWindow").GetInt64());
        Assert.True(s.GetProperty("requestsPerSecond").GetDouble() > 0);
        Assert.Equal(10.0 / 12, s.GetProperty("hitRatio").GetDouble(), 3);
        Assert.True(s.GetProperty("bytesOutPerSecond").GetDouble() > 0);
        Assert.True(s.GetProperty("bytesInPerSecond").GetDouble() > 0);
        var seg = s.GetProperty("latency").GetProperty("segment");
        Assert.Equal(10, seg.GetProperty("count").GetInt64());
        var p50 = seg.GetProperty("p50Ms").GetDouble();
        var p99 = seg.GetProperty("p99Ms").GetDouble();
        Assert.InRange(p50, 0, 1000);
        Assert.True(p99 >= p50);
        Assert.Equal(JsonValueKind.Null, s.GetProperty("latency").GetProperty("master_playlist").GetProperty("p50Ms").ValueKind);
        Assert.True(s.GetProperty("activeConnections").GetInt64() >= 1);
        Assert.Equal(1, s.GetProperty("activeRequests").GetProperty("http/1.1").GetInt64()); // this request
        var top = s.GetProperty("topStreams");
        Assert.Equal(1, top.GetArrayLength());
        Assert.Equal("o1/live/index.m3u8", top[0].GetProperty("stream").GetString());
        Assert.Equal("o1", top[0].GetProperty("origin").GetString());
        Assert.Equal(1, top[0].GetProperty("viewers").GetInt32());
        var origins = s.GetProperty("origins");
        Assert.Equal("o1", origins[0].GetProperty("name").GetString());
        Assert.False(s.GetProperty("redis").GetProperty("configured").GetBoolean());
        Assert.Equal(0, s.GetProperty("recorder").GetArrayLength());
        Assert.Equal(2, s.GetProperty("refreshSeconds").GetDouble());
    }

    [Fact]
    public async Task StatsAndPage_RequireTheAdminTokenWhenConfigured()
    {
        await using var origin = await MonitorFixture.StartOriginAsync();
        await using var gateway = await GatewayHost.StartAsync(MonitorFixture.Settings(origin,
            ("Monitor:RequireAdminToken", "true"), ("Gateway:Admin:Token", "s3cret")));

        using (var denied = await gateway.Client.GetAsync("/stats"))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, denied.StatusCode);
            Assert.Equal("application/problem+json", denied.Content.Headers.ContentType?.MediaType);
        }
        using (var wrong = await gateway.Client.GetAsync("/monitor?token=nope"))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
        }
        using (var page = await gateway.Client.GetAsync("/monitor?token=s3cret"))
        {
            Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        }
        using var request = new HttpRequestMessage(HttpMethod.Get, "/stats");
        request.Headers.Authorization = new("Bearer", "s3cret");
        using var ok = await gateway.Client.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        using var metrics = await gateway.Client.GetAsync("/metrics");
        Assert.Equal(HttpStatusCode.OK, metrics.StatusCode); // scrapers and load balancers stay unauthenticated
    }

    [Fact]
    public async Task Startup_FailsNamingTheKey_WhenTheTokenIsRequiredButMissing()
    {
        await using var origin = await MonitorFixture.StartOriginAsync();
        var ex = await Assert.ThrowsAsync<Microsoft.Extensions.Options.OptionsValidationException>(() =>
            GatewayHost.StartAsync(MonitorFixture.Settings(origin, ("Monitor:RequireAdminToken", "true"), ("Monitor:RefreshSeconds", "0"))));
        Assert.Contains(ex.Failures, f => f.Contains("Monitor:RequireAdminToken", StringComparison.Ordinal));
        Assert.Contains(ex.Failures, f => f.Contains("Monitor:RefreshSeconds", StringComparison.Ordinal));
    }
}
