using System.Globalization;
using System.Text.Json;
using HlsGateway.Recorder.Lifecycle;
using HlsGateway.Tests.Common;
using HlsGateway.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace HlsGateway.Tests.Monitoring;

/// <summary>The recorder's figures in the real gateway's /stats and /metrics.</summary>
public sealed class RecorderStatsTests() : LiveOriginTest("rec-stats-")
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);
    private static async Task<double> MetricAsync(HttpClient client, string name)
    {
        var text = await client.GetStringAsync("/metrics");
        var line = text.Split('\n').FirstOrDefault(l => l.StartsWith(name + " ", StringComparison.Ordinal) || l.StartsWith(name + "{", StringComparison.Ordinal));
        return line is null ? 0 : double.Parse(line[(line.LastIndexOf(' ') + 1)..], CultureInfo.InvariantCulture);
    }

    [Fact]
    public async Task Stats_show_the_recording_with_its_gap_and_metrics_count_segments_bytes_gaps_and_active_recordings()
    {
        await using var gw = await GatewayHost.StartAsync(new Dictionary<string, string?>
        {
            ["Gateway:Origins:o1"] = Origin.Origin.BaseUrl,
            ["Recorder:OutputDirectory"] = OutputDirectory,
            ["Recorder:FfmpegDirectory"] = Path.GetDirectoryName(Tools.Ffmpeg),
            ["Recorder:Recordings:0:Name"] = "news",
            ["Recorder:Recordings:0:Url"] = "/hls/o1/live/index.m3u8",
        });
        var manager = gw.Services.GetRequiredService<RecordingManager>();
        await RecorderHost.WaitUntilAsync(() => manager.Get("news")?.LastMediaSequence == 3, Wait, "recording started");
        await RecorderHost.WaitUntilAsync(() => manager.Get("news")!.State == RecordingState.Recording, Wait, "recording state");
        var gapsBefore = await MetricAsync(gw.Client, "hlsgw_recorder_gaps_total");
        Assert.Equal(1, await MetricAsync(gw.Client, "hlsgw_recorder_active_recordings"));

        Origin.Append(4, 4);
        await RecorderHost.WaitUntilAsync(() => manager.Get("news")!.LastMediaSequence == 4, Wait, "segment 4 recorded");
        Origin.Reset(8, 8, 4); // the window jumps to 8-11: 5-7 are never seen, a gap
        await RecorderHost.WaitUntilAsync(() => manager.Get("news")!.LastMediaSequence == 11, Wait, "segment 11 recorded");
        var status = manager.Get("news")!;

        Assert.Equal(gapsBefore + 1, await MetricAsync(gw.Client, "hlsgw_recorder_gaps_total"));
        Assert.Equal(status.Segments, await MetricAsync(gw.Client, "hlsgw_recorder_segments_written_total"));
        Assert.Equal(status.Bytes, await MetricAsync(gw.Client, "hlsgw_recorder_bytes_written_total"));

        using var stats = JsonDocument.Parse(await gw.Client.GetStringAsync("/stats"));
        var row = Assert.Single(stats.RootElement.GetProperty("recorder").EnumerateArray());
        Assert.Equal("news", row.GetProperty("stream").GetString());
        Assert.Equal("recording", row.GetProperty("state").GetString());
        Assert.Equal(1, row.GetProperty("gaps").GetInt64());
        Assert.Equal(6, row.GetProperty("segmentsWritten").GetInt64()); // 3, 4, 8-11
        Assert.Equal(status.Bytes, row.GetProperty("bytesWritten").GetInt64());
        Assert.InRange(row.GetProperty("durationSeconds").GetDouble(), 5.9, 6.1);
        Assert.Equal(2, row.GetProperty("parts").GetInt32()); // the gap starts a new part
        var gap = row.GetProperty("lastGap");
        Assert.Equal((5, 7, "skipped"), (gap.GetProperty("from").GetInt64(), gap.GetProperty("to").GetInt64(), gap.GetProperty("reason").GetString()));
        Assert.Equal(manager.InstanceId, row.GetProperty("leaseHolder").GetString());

        await manager.StopRecordingAsync("news");
        Assert.Equal(0, await MetricAsync(gw.Client, "hlsgw_recorder_active_recordings"));
    }
}
