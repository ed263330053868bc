using System.Net;
using System.Text.Json;
using HlsGateway.Tests.Common;

namespace HlsGateway.Tests.Health;

public sealed class HealthEndpointTests
{
    [Fact]
    public async Task Health_IsHealthyWithOriginUp_AndReportsEachCheck()
    {
        await using var origin = await MonitorFixture.StartOriginAsync();
        await using var gateway = await GatewayHost.StartAsync(MonitorFixture.Settings(origin));

        using var response = await gateway.Client.GetAsync("/health");
        var body = await response.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var json = JsonDocument.Parse(body);
        Assert.Equal("Healthy", json.RootElement.GetProperty("status").GetString());
        Assert.Equal("ready", json.RootElement.GetProperty("state").GetString());
        Assert.Equal(0, json.RootElement.GetProperty("reasons").GetArrayLength());
        Assert.Equal("Healthy", json.RootElement.GetProperty("checks").GetProperty("lifecycle").GetProperty("status").GetString());
        var origins = json.RootElement.GetProperty("checks").GetProperty("origins");
        Assert.Equal("Healthy", origins.GetProperty("status").GetString());
        Assert.True(origins.GetProperty("durationMs").GetDouble() >= 0);
        var o1 = origins.GetProperty("data").GetProperty("o1");
        Assert.Equal("up", o1.GetProperty("status").GetString());
        Assert.Equal(404, o1.GetProperty("statusCode").GetInt32()); // the base URL is no resource, but the origin answers
        Assert.False(json.RootElement.GetProperty("checks").TryGetProperty("redis", out _)); // not configured, not checked

        using var live = await gateway.Client.GetAsync("/health/live");
        Assert.Equal(HttpStatusCode.OK, live.StatusCode);
        using var ready = await gateway.Client.GetAsync("/health/ready");
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        var metrics = await gateway.Client.GetStringAsync("/metrics");
        Assert.Equal(1, Metrics.MetricsEndpointTests.Value(metrics, "hlsgw_readiness_state", "state=\"ready\""));
        Assert.Equal(0, Metrics.MetricsEndpointTests.Value(metrics, "hlsgw_readiness_state", "state=\"starting\""));
        Assert.Equal(0, Metrics.MetricsEndpointTests.Value(metrics, "hlsgw_readiness_state", "state=\"draining\""));
    }

    // All origins down used to be Unhealthy (503): that pulled every instance at once, exactly when the memory
    // tier could carry the fleet. Issue 14.5: Degraded (200) with the reason; only start-up and draining are 503.
    [Fact]
    public async Task Health_IsDegradedWhenSomeOriginsAreDown_AndStill200WhenAllAre()
    {
        await using var origin = await MonitorFixture.StartOriginAsync();
        var deadPort = LocalProcess.FreeTcpPort();
        await using (var gateway = await GatewayHost.StartAsync(MonitorFixture.Settings(origin, ("Gateway:Origins:dead", $"http://127.0.0.1:{deadPort}"))))
        {
            using var response = await gateway.Client.GetAsync("/health");
            var body = await response.Content.ReadAsStringAsync();
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            using var json = JsonDocument.Parse(body);
            Assert.Equal("Degraded", json.RootElement.GetProperty("status").GetString());
            Assert.Contains("origins: 1 of 2 down: dead", json.RootElement.GetProperty("reasons").EnumerateArray().Select(r => r.GetString()));
            var dead = json.RootElement.GetProperty("checks").GetProperty("origins").GetProperty("data").GetProperty("dead");
            Assert.Equal("down", dead.GetProperty("status").GetString());
            Assert.False(string.IsNullOrEmpty(dead.GetProperty("error").GetString()));

            var metrics = await gateway.Client.GetStringAsync("/metrics");
            Assert.Equal(0, Metrics.MetricsEndpointTests.Value(metrics, "hlsgw_origin_up", "origin=\"dead\""));
            Assert.Equal(1, Metrics.MetricsEndpointTests.Value(metrics, "hlsgw_origin_up", "origin=\"o1\""));
        }

        await using (var gateway = await GatewayHost.StartAsync(new Dictionary<string, string?> { ["Gateway:Origins:dead"] = $"http://127.0.0.1:{deadPort}" }))
        {
            using var response = await gateway.Client.GetAsync("/health/ready");
            var body = await response.Content.ReadAsStringAsync();
            Assert.True(response.StatusCode == HttpStatusCode.OK, body);
            using var json = JsonDocument.Parse(body);
            Assert.Equal("Degraded", json.RootElement.GetProperty("status").GetString());
            Assert.Equal("Degraded", json.RootElement.GetProperty("checks").GetProperty("origins").GetProperty("status").GetString());
            Assert.Contains("origins: all 1 down: dead; serving cached copies", json.RootElement.GetProperty("reasons").EnumerateArray().Select(r => r.GetString()));
            using var live = await gateway.Client.GetAsync("/health/live");
            Assert.Equal(HttpStatusCode.OK, live.StatusCode); // the process runs: liveness does not depend on origins
        }
    }

    // Redis down used to be Unhealthy (503). Issue 14.5: the memory tier still serves, so readiness stays 200,
    // Degraded, with the reason naming redis; Healthy again once Redis is back.
    [Fact]
    public async Task Health_IsDegradedNot503WhenRedisIsStopped_ServesFromMemory_AndRecovers()
    {
        await using var redis = await RedisServer.StartAsync();
        await using var origin = await MonitorFixture.StartOriginAsync();
        await using var gateway = await GatewayHost.StartAsync(MonitorFixture.Settings(origin, ("Gateway:Redis", redis.ConnectionString)));

        using (var response = await gateway.Client.GetAsync("/health"))
        {
            var body = await response.Content.ReadAsStringAsync();
            Assert.True(response.StatusCode == HttpStatusCode.OK, body);
            using var json = JsonDocument.Parse(body);
            var check = json.RootElement.GetProperty("checks").GetProperty("redis");
            Assert.NotEqual("Unhealthy", check.GetProperty("status").GetString());
            Assert.True(check.GetProperty("data").GetProperty("latencyMs").GetDouble() >= 0);
        }
        var metrics = await gateway.Client.GetStringAsync("/metrics");
        Assert.Equal(1, Metrics.MetricsEndpointTests.Value(metrics, "hlsgw_redis_connected", null));
        Assert.True(Metrics.MetricsEndpointTests.Value(metrics, "hlsgw_redis_command_duration_seconds_count", "command=\"ping\",result=\"ok\"") >= 1);

        using (var warm = await gateway.Client.GetAsync("/hls/o1/live/seg0.ts"))
        {
            Assert.Equal(HttpStatusCode.OK, warm.StatusCode);
        }

        await redis.StopAsync();
        foreach (var path in new[] { "/health", "/health/ready" })
        {
            using var response = await gateway.Client.GetAsync(path);
            var body = await response.Content.ReadAsStringAsync();
            Assert.True(response.StatusCode == HttpStatusCode.OK, body);
            using var json = JsonDocument.Parse(body);
            Assert.Equal("Degraded", json.RootElement.GetProperty("status").GetString());
            Assert.Equal("ready", json.RootElement.GetProperty("state").GetString());
            var check = json.RootElement.GetProperty("checks").GetProperty("redis");
            Assert.Equal("Degraded", check.GetProperty("status").GetString());
            Assert.False(string.IsNullOrEmpty(check.GetProperty("error").GetString()));
            var reason = Assert.Single(json.RootElement.GetProperty("reasons").EnumerateArray()).GetString();
            Assert.StartsWith("redis: ", reason, StringComparison.Ordinal);
            Assert.EndsWith(", serving from memory", reason, StringComparison.Ordinal);
        }
        // and it does: the cached segment from the memory tier, a new one through the origin
        using (var hit = await gateway.Client.GetAsync("/hls/o1/live/seg0.ts"))
        {
            Assert.Equal(HttpStatusCode.OK, hit.StatusCode);
            Assert.Equal("HIT", hit.Headers.GetValues("X-Cache").Single());
            Assert.Equal(1000, (await hit.Content.ReadAsByteArrayAsync()).Length);
        }
        using (var miss = await gateway.Client.GetAsync("/hls/o1/live/seg1.ts"))
        {
            Assert.Equal(HttpStatusCode.OK, miss.StatusCode);
            Assert.Equal(1001, (await miss.Content.ReadAsByteArrayAsync()).Length);
        }
        using (var live = await gateway.Client.GetAsync("/health/live"))
        {
            Assert.Equal(HttpStatusCode.OK, live.StatusCode);
        }

        await redis.StartAgainAsync();
        var deadline = DateTime.UtcNow.AddSeconds(30);
        string? status;
        string lastBody;
        do
        {
            await Task.Delay(250);
            using var response = await gateway.Client.GetAsync("/health/ready");
            Assert.Equal(HttpStatusCode.OK, response.StatusCode); // 200 throughout
            lastBody = await response.Content.ReadAsStringAsync();
            using var json = JsonDocument.Parse(lastBody);
            status = json.RootElement.GetProperty("checks").GetProperty("redis").GetProperty("status").GetString();
        }
        while (status != "Healthy" && DateTime.UtcNow < deadline);
        Assert.True(status == "Healthy", lastBody);
    }
}
