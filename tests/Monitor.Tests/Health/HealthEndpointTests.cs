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
    }

    [Fact]
    public async Task Health_IsDegradedWhenSomeOriginsAreDown_AndUnhealthyWhenAllAre()
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
            Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
            using var live = await gateway.Client.GetAsync("/health/live");
            Assert.Equal(HttpStatusCode.OK, live.StatusCode); // the process runs: liveness does not depend on origins
        }
    }

    [Fact]
    public async Task Health_Is503WhenRedisIsConfiguredButStopped_AndRecovers()
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

        await redis.StopAsync();
        using (var response = await gateway.Client.GetAsync("/health"))
        {
            var body = await response.Content.ReadAsStringAsync();
            Assert.True(response.StatusCode == HttpStatusCode.ServiceUnavailable, body);
            using var json = JsonDocument.Parse(body);
            Assert.Equal("Unhealthy", json.RootElement.GetProperty("checks").GetProperty("redis").GetProperty("status").GetString());
            Assert.False(string.IsNullOrEmpty(json.RootElement.GetProperty("checks").GetProperty("redis").GetProperty("error").GetString()));
        }
        using (var live = await gateway.Client.GetAsync("/health/live"))
        {
            Assert.Equal(HttpStatusCode.OK, live.StatusCode);
        }

        await redis.StartAgainAsync();
        var deadline = DateTime.UtcNow.AddSeconds(20);
        HttpStatusCode status;
        do
        {
            await Task.Delay(250);
            using var response = await gateway.Client.GetAsync("/health");
            status = response.StatusCode;
        }
        while (status != HttpStatusCode.OK && DateTime.UtcNow < deadline);
        Assert.Equal(HttpStatusCode.OK, status);
    }
}
