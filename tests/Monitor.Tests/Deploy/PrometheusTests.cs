using System.Globalization;
using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using HlsGateway.Tests.Common;
using Xunit.Abstractions;

namespace HlsGateway.Tests.Deploy;

/// <summary>deploy/prometheus and deploy/grafana against the real tools and a real gateway.</summary>
public sealed partial class PrometheusTests(ITestOutputHelper output)
{
    private static string DeployDir => Path.Combine(Tools.RepoRoot, "deploy");

    [Fact]
    public async Task Promtool_AcceptsAlertRulesAndScrapeConfig()
    {
        var rules = await LocalProcess.RunAsync(Tools.Promtool, ["check", "rules", Path.Combine(DeployDir, "prometheus", "alerts.yml")], TimeSpan.FromSeconds(60));
        Assert.True(rules.ExitCode == 0, rules.Output);
        Assert.Contains("SUCCESS", rules.Output);
        var config = await LocalProcess.RunAsync(Tools.Promtool, ["check", "config", Path.Combine(DeployDir, "prometheus", "prometheus.yml")], TimeSpan.FromSeconds(60));
        Assert.True(config.ExitCode == 0, config.Output);
    }

    [Fact]
    public async Task Prometheus_ScrapesTheGateway_AndEveryMetricTheDashboardAndAlertsUseExists()
    {
        await using var redis = await RedisServer.StartAsync();
        await using var origin = await MonitorFixture.StartOriginAsync();
        await using var gateway = await GatewayHost.StartAsync(MonitorFixture.Settings(origin,
            ("Gateway:Redis", redis.ConnectionString), ("Monitor:StreamMetricsTopN", "5"),
            ("Gateway:Origins:dead", $"http://127.0.0.1:{LocalProcess.FreeTcpPort()}")));

        const int segmentRequests = 7;
        for (var i = 0; i < segmentRequests; i++)
        {
            using var r = await gateway.Client.GetAsync("/hls/o1/live/seg2.ts");
            Assert.Equal(HttpStatusCode.OK, r.StatusCode);
        }
        using (var r = await gateway.Client.GetAsync("/hls/o1" + MonitorFixture.Playlist))
        {
            Assert.Equal(HttpStatusCode.OK, r.StatusCode);
        }
        using (var r = await gateway.Client.GetAsync("/hls/dead/x.ts"))
        {
            Assert.Equal(HttpStatusCode.BadGateway, r.StatusCode); // an origin error, so the error counter has a series
        }
        using (var r = await gateway.Client.GetAsync("/health"))
        {
            // probes origins and pings Redis, so the probe and Redis series exist
        }

        // the metric names the dashboard and the alert rules use all exist on /metrics
        var text = await gateway.Client.GetStringAsync("/metrics");
        var exposed = MetricFamily().Matches(text).Select(m => m.Groups[1].Value).ToHashSet(StringComparer.Ordinal);
        var used = File.ReadAllText(Path.Combine(DeployDir, "prometheus", "alerts.yml")) + File.ReadAllText(Path.Combine(DeployDir, "grafana", "gateway-dashboard.json"));
        var missing = UsedName().Matches(used).Select(m => Regex.Replace(m.Value, "_(bucket|count|sum)$", ""))
            .Distinct().Where(n => !exposed.Contains(n)).ToArray();
        Assert.True(missing.Length == 0, "used in deploy/ but not exposed: " + string.Join(", ", missing));
        using (var dashboard = JsonDocument.Parse(File.ReadAllText(Path.Combine(DeployDir, "grafana", "gateway-dashboard.json"))))
        {
            var variables = dashboard.RootElement.GetProperty("templating").GetProperty("list").EnumerateArray().Select(v => v.GetProperty("name").GetString()).ToArray();
            Assert.Contains("origin", variables);
            Assert.Contains("stream", variables);
            Assert.True(dashboard.RootElement.GetProperty("panels").GetArrayLength() >= 10);
        }

        // a real Prometheus scrapes the gateway and loads our alert rules
        var work = Directory.CreateTempSubdirectory("prom-");
        try
        {
            var target = new Uri(gateway.BaseUrl).Authority;
            var config = $$"""
                global:
                  scrape_interval: 1s
                  evaluation_interval: 1s
                rule_files:
                  - {{Path.Combine(DeployDir, "prometheus", "alerts.yml")}}
                scrape_configs:
                  - job_name: hls-gateway
                    metrics_path: /metrics
                    static_configs:
                      - targets: ["{{target}}"]
                """;
            var configPath = Path.Combine(work.FullName, "prometheus.yml");
            File.WriteAllText(configPath, config);
            var port = LocalProcess.FreeTcpPort();
            await using var prometheus = LocalProcess.Start(Tools.Prometheus, [
                "--config.file=" + configPath,
                "--storage.tsdb.path=" + Path.Combine(work.FullName, "data"),
                "--web.listen-address=127.0.0.1:" + port,
            ]);
            using var api = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(10) };
            var query = $"sum(hlsgw_requests_total{{job=\"hls-gateway\",kind=\"segment\",origin=\"o1\",status=\"2xx\"}})";
            double? value = null;
            var deadline = DateTime.UtcNow.AddSeconds(60);
            while (DateTime.UtcNow < deadline && value != segmentRequests)
            {
                await Task.Delay(500);
                Assert.False(prometheus.HasExited, "prometheus exited: " + prometheus.Output);
                try
                {
                    value = await QueryAsync(api, query);
                }
                catch (HttpRequestException) when (DateTime.UtcNow < deadline)
                {
                    // still starting (not listening yet on a loaded machine): ask again
                }
            }
            output.WriteLine($"{query} = {value}");
            Assert.Equal(segmentRequests, value);

            Assert.Equal(1, await QueryAsync(api, "up{job=\"hls-gateway\"}"));
            Assert.Equal(1, await QueryAsync(api, "hlsgw_origin_up{origin=\"o1\"}"));
            Assert.Equal(0, await QueryAsync(api, "hlsgw_origin_up{origin=\"dead\"}"));
            Assert.Equal(1, await QueryAsync(api, "hlsgw_redis_connected"));
            var hits = await QueryAsync(api, "sum(hlsgw_requests_total{kind=\"segment\",cache=\"hit\"})");
            Assert.Equal(segmentRequests - 1, hits);
            var p99 = await QueryAsync(api, "histogram_quantile(0.99, sum by (le) (hlsgw_request_duration_seconds_bucket{kind=\"segment\"}))");
            Assert.NotNull(p99);
            // a sane quantile (speed targets live in benchmarks, not in tests): positive and far below the 45 s origin timeout
            Assert.InRange(p99!.Value, double.Epsilon, 10);

            // the rules loaded and evaluate without errors
            using var rules = JsonDocument.Parse(await api.GetStringAsync("/api/v1/rules"));
            var loaded = rules.RootElement.GetProperty("data").GetProperty("groups").EnumerateArray().SelectMany(g => g.GetProperty("rules").EnumerateArray()).ToArray();
            Assert.Equal(13, loaded.Length); // 12 + HlsGatewayNotReady (issue 14.5)
            Assert.All(loaded, r => Assert.NotEqual("err", r.GetProperty("health").GetString()));
        }
        finally
        {
            work.Delete(recursive: true);
        }
    }

    private static async Task<double?> QueryAsync(HttpClient api, string query)
    {
        using var doc = JsonDocument.Parse(await api.GetStringAsync("/api/v1/query?query=" + Uri.EscapeDataString(query)));
        var result = doc.RootElement.GetProperty("data").GetProperty("result");
        return result.GetArrayLength() == 0 ? null : double.Parse(result[0].GetProperty("value")[1].GetString()!, CultureInfo.InvariantCulture);
    }

    [GeneratedRegex("^# TYPE (\\S+) ", RegexOptions.Multiline)]
    private static partial Regex MetricFamily();

    [GeneratedRegex("\\bhlsgw_[a-z_]+")]
    private static partial Regex UsedName();
}
