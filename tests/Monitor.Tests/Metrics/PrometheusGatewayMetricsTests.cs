using System.Text;
using HlsGateway.Monitor;
using HlsGateway.Monitor.Metrics;
using HlsGateway.Monitor.Stats;
using HlsGateway.Monitor.Traffic;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace HlsGateway.Tests.Metrics;

public sealed class PrometheusGatewayMetricsTests
{
    private static (PrometheusGatewayMetrics Metrics, MetricsRegistry Registry, RequestWindow Window, FakeTimeProvider Time) Create(MonitorOptions? options = null)
    {
        var services = new ServiceCollection().AddMetrics().BuildServiceProvider();
        var registry = new MetricsRegistry(services.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>());
        var time = new FakeTimeProvider();
        var window = new RequestWindow(time);
        var opts = Options.Create(options ?? new MonitorOptions());
        var metrics = new PrometheusGatewayMetrics(registry, window, new TrafficCounters(), new ViewerTracker(time, opts), opts);
        return (metrics, registry, window, time);
    }

    private static async Task<string> ScrapeAsync(MetricsRegistry registry)
    {
        using var stream = new MemoryStream();
        await registry.Registry.CollectAndExportAsTextAsync(stream);
        return Encoding.UTF8.GetString(stream.ToArray());
    }

    [Theory]
    [InlineData(200, "2xx")]
    [InlineData(206, "2xx")]
    [InlineData(304, "3xx")]
    [InlineData(404, "4xx")]
    [InlineData(502, "5xx")]
    [InlineData(101, "other")]
    [InlineData(0, "other")]
    public async Task RequestCompleted_LabelsTheStatusClass(int status, string label)
    {
        var (metrics, registry, _, _) = Create();
        metrics.RequestCompleted(RouteKind.Segment, "o1", status, CacheResult.Miss, 0.01, 10);
        var text = await ScrapeAsync(registry);
        Assert.Equal(1, MetricsEndpointTests.Value(text, "hlsgw_requests_total", $"kind=\"segment\",origin=\"o1\",status=\"{label}\",cache=\"miss\""));
    }

    [Fact]
    public async Task Metrics_MapUnknownReasonsAndCommandsToOther_AndFoldOriginsBeyondTheCap()
    {
        var (metrics, registry, window, time) = Create(new MonitorOptions { MaxOriginLabels = 2 });
        metrics.RequestDenied("ip");
        metrics.RequestDenied("something-new");
        metrics.OriginFetch("o1", RouteKind.Segment, 0, 0.5, 0, "weird");
        metrics.OriginFetch("o1", RouteKind.Segment, 200, 0.1, 5000, null);
        metrics.RedisCommand("hgetall", 0.001, ok: true);
        metrics.RedisCommand("get", 0.002, ok: false);
        metrics.RequestCollapsed("o1");
        for (var i = 0; i < 10; i++)
        {
            // distinct string instances with equal text reuse the slot; new names past the cap fold into _other
            metrics.RequestCompleted(RouteKind.Segment, new string("o1".AsSpan()), 200, CacheResult.Hit, 0.001, 1);
            metrics.RequestCompleted(RouteKind.Segment, "origin" + i, 200, CacheResult.Hit, 0.001, 1);
        }
        var text = await ScrapeAsync(registry);
        Assert.Equal(1, MetricsEndpointTests.Value(text, "hlsgw_denied_requests_total", "reason=\"ip\""));
        Assert.Equal(1, MetricsEndpointTests.Value(text, "hlsgw_denied_requests_total", "reason=\"other\""));
        Assert.Equal(0, MetricsEndpointTests.Value(text, "hlsgw_denied_requests_total", "reason=\"signature\"")); // pre-created
        Assert.Equal(1, MetricsEndpointTests.Value(text, "hlsgw_origin_errors_total", "origin=\"o1\",reason=\"other\""));
        Assert.Equal(5000, MetricsEndpointTests.Value(text, "hlsgw_origin_bytes_total", "origin=\"o1\""));
        Assert.Equal(1, MetricsEndpointTests.Value(text, "hlsgw_redis_command_duration_seconds_count", "command=\"other\",result=\"ok\""));
        Assert.Equal(1, MetricsEndpointTests.Value(text, "hlsgw_redis_command_duration_seconds_count", "command=\"get\",result=\"error\""));
        Assert.Equal(1, MetricsEndpointTests.Value(text, "hlsgw_collapsed_requests_total", "origin=\"o1\""));
        Assert.Equal(10, MetricsEndpointTests.Value(text, "hlsgw_requests_total", "kind=\"segment\",origin=\"o1\",status=\"2xx\",cache=\"hit\""));
        Assert.Equal(1, MetricsEndpointTests.Value(text, "hlsgw_requests_total", "kind=\"segment\",origin=\"origin0\",status=\"2xx\",cache=\"hit\""));
        Assert.Equal(9, MetricsEndpointTests.Value(text, "hlsgw_requests_total", "kind=\"segment\",origin=\"_other\",status=\"2xx\",cache=\"hit\""));
        Assert.DoesNotContain("origin=\"origin5\"", text);

        time.Advance(TimeSpan.FromSeconds(1));
        var summary = window.Summarize();
        Assert.Equal(20, summary.Requests);
        Assert.Equal(5000, summary.BytesIn);
        Assert.Equal(1, summary.Count(LatencySeries.Redis)); // failed commands do not count as latency samples
    }

    [Fact]
    public async Task RecorderMetrics_ExistAtZero_AndCount()
    {
        var (metrics, registry, _, _) = Create();
        var before = await ScrapeAsync(registry);
        foreach (var name in new[] { "hlsgw_recorder_segments_written_total", "hlsgw_recorder_gaps_total", "hlsgw_upload_bytes_total", "hlsgw_upload_failures_total", "hlsgw_upload_queue_length", "hlsgw_recorder_active_recordings" })
        {
            Assert.Equal(0, MetricsEndpointTests.Value(before, name, null));
        }
        metrics.SegmentWritten(1000);
        metrics.Gap();
        metrics.Uploaded(1000);
        metrics.UploadFailed();
        metrics.UploadQueueLength(7);
        var after = await ScrapeAsync(registry);
        Assert.Equal(1, MetricsEndpointTests.Value(after, "hlsgw_recorder_segments_written_total", null));
        Assert.Equal(1000, MetricsEndpointTests.Value(after, "hlsgw_recorder_bytes_written_total", null));
        Assert.Equal(1, MetricsEndpointTests.Value(after, "hlsgw_recorder_gaps_total", null));
        Assert.Equal(7, MetricsEndpointTests.Value(after, "hlsgw_upload_queue_length", null));
    }

    [Fact]
    public async Task StreamViewers_AreOptIn_AndLimitedToTopN()
    {
        var services = new ServiceCollection().AddMetrics().BuildServiceProvider();
        var registry = new MetricsRegistry(services.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>());
        var time = new FakeTimeProvider();
        var opts = Options.Create(new MonitorOptions { StreamMetricsTopN = 2 });
        var viewers = new ViewerTracker(time, opts);
        _ = new PrometheusGatewayMetrics(registry, new RequestWindow(time), new TrafficCounters(), viewers, opts);
        for (var s = 0; s < 5; s++)
        {
            for (var v = 0; v <= s; v++)
            {
                viewers.Seen($"o1/s{s}.m3u8", new System.Net.IPAddress([10, 0, 0, (byte)v]));
            }
        }
        var text = await ScrapeAsync(registry);
        Assert.Equal(5, MetricsEndpointTests.Value(text, "hlsgw_stream_viewers", "origin=\"o1\",stream=\"s4.m3u8\""));
        Assert.Equal(4, MetricsEndpointTests.Value(text, "hlsgw_stream_viewers", "origin=\"o1\",stream=\"s3.m3u8\""));
        Assert.DoesNotContain("s2.m3u8", text);

        var (_, plain, _, _) = Create();
        Assert.DoesNotContain("hlsgw_stream_viewers", await ScrapeAsync(plain));
    }
}
