using System.Globalization;
using System.Text.RegularExpressions;
using HlsGateway.Tests.Common;

namespace HlsGateway.Tests.Metrics;

public sealed class MetricsEndpointTests
{
    [Fact]
    public async Task Metrics_CountRequestsByKindOriginStatusAndCacheResult()
    {
        await using var origin = await MonitorFixture.StartOriginAsync();
        await using var gateway = await GatewayHost.StartAsync(MonitorFixture.Settings(origin));

        // 1 miss + 4 hits on the same segment, 1 miss on the playlist, 2 unknown-origin 404s
        for (var i = 0; i < 5; i++)
        {
            using var r = await gateway.Client.GetAsync("/hls/o1/live/seg0.ts");
            Assert.Equal(200, (int)r.StatusCode);
        }
        using (var r = await gateway.Client.GetAsync("/hls/o1" + MonitorFixture.Playlist))
        {
            Assert.Equal(200, (int)r.StatusCode);
        }
        for (var i = 0; i < 2; i++)
        {
            using var r = await gateway.Client.GetAsync("/hls/nope/x.ts");
            Assert.Equal(404, (int)r.StatusCode);
        }

        var text = await gateway.Client.GetStringAsync("/metrics");
        Assert.Equal(1, Value(text, "hlsgw_requests_total", "kind=\"segment\",origin=\"o1\",status=\"2xx\",cache=\"miss\""));
        Assert.Equal(4, Value(text, "hlsgw_requests_total", "kind=\"segment\",origin=\"o1\",status=\"2xx\",cache=\"hit\""));
        Assert.Equal(1, Value(text, "hlsgw_requests_total", "kind=\"media_playlist\",origin=\"o1\",status=\"2xx\",cache=\"miss\""));
        Assert.Equal(5, Value(text, "hlsgw_request_duration_seconds_count", "kind=\"segment\",origin=\"o1\",status=\"2xx\",cache=\"hit\"") + Value(text, "hlsgw_request_duration_seconds_count", "kind=\"segment\",origin=\"o1\",status=\"2xx\",cache=\"miss\""));
        Assert.Equal(5 * 1000, Value(text, "hlsgw_response_bytes_total", "kind=\"segment\",origin=\"o1\""));
        Assert.Equal(2, Value(text, "hlsgw_denied_requests_total", "reason=\"unknown_origin\""));
        Assert.Equal(2, Value(text, "hlsgw_origin_fetch_duration_seconds_count", "kind=\"segment\",origin=\"o1\"") + Value(text, "hlsgw_origin_fetch_duration_seconds_count", "kind=\"media_playlist\",origin=\"o1\""));
        Assert.True(Value(text, "hlsgw_origin_bytes_total", "origin=\"o1\"") >= 1000);
        Assert.True(Value(text, "hlsgw_cache_entries", null) >= 2);
        Assert.True(Value(text, "hlsgw_cache_bytes", null) >= 1000);
        var sum = Value(text, "hlsgw_request_duration_seconds_sum", "kind=\"segment\",origin=\"o1\",status=\"2xx\",cache=\"hit\"");
        Assert.InRange(sum, 0, 5); // sane: 4 local cache hits take well under a second each

        // recorder series exist (zero) so alert rules referencing them are valid now
        Assert.Equal(0, Value(text, "hlsgw_recorder_gaps_total", null));
        Assert.Equal(0, Value(text, "hlsgw_upload_queue_length", null));
        // no Redis configured: the connected gauge is absent (the Redis-down alert cannot fire)
        Assert.DoesNotContain("\nhlsgw_redis_connected ", text);
        // runtime metrics: prometheus-net DotNetStats and the System.Runtime meter through the MeterAdapter
        Assert.Contains("dotnet_collection_count_total", text);
        Assert.Contains("\nsystem_runtime_dotnet_gc_heap_total_allocated ", text);
        Assert.Contains("\nsystem_runtime_dotnet_thread_pool_thread_count ", text);
        Assert.Contains("\nsystem_runtime_dotnet_gc_collections{", text);
        Assert.True(Value(text, "hlsgw_active_connections", null) >= 1); // the scraping connection
        Assert.Matches(new Regex("^hlsgw_active_requests\\{protocol=\"http/1.1\"\\} 1$", RegexOptions.Multiline), text); // the scrape itself
    }

    /// <summary>Value of one sample in Prometheus text; labels as written by prometheus-net (null: no labels).</summary>
    internal static double Value(string text, string name, string? labels)
    {
        var prefix = labels is null ? name + " " : name + "{" + labels + "} ";
        foreach (var line in text.Split('\n'))
        {
            if (line.StartsWith(prefix, StringComparison.Ordinal))
            {
                return double.Parse(line[prefix.Length..].Split(' ')[0], CultureInfo.InvariantCulture);
            }
        }
        throw new Xunit.Sdk.XunitException($"no sample '{prefix.Trim()}' in /metrics:\n" + string.Join('\n', text.Split('\n').Where(l => l.StartsWith(name, StringComparison.Ordinal))));
    }
}
