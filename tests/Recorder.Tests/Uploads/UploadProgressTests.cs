using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using HlsGateway.Recorder.Uploads;
using HlsGateway.Tests.Common;
using HlsGateway.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace HlsGateway.Tests.Uploads;

/// <summary>
/// Upload progress in the real gateway: per-part rows and summaries in <c>/admin/recordings</c>, the whole queue in
/// <c>/admin/recordings/uploads</c>, the <c>uploading</c> state of a stopped recording, /stats and /metrics.
/// The directory target is made to fail by a regular file where its directory should be, and fixed by deleting it.
/// </summary>
public sealed class UploadProgressTests() : LiveOriginTest("rec-upl-prog-"), IAsyncLifetime
{
    private const string Token = "tok-upl";
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);
    private readonly string _scratch = Directory.CreateTempSubdirectory("rec-upl-prog-target-").FullName;

    private string Blocker => Path.Combine(_scratch, "blocked");

    private string TargetDirectory => Path.Combine(Blocker, "target");

    private async Task<GatewayHost> StartGatewayAsync(Dictionary<string, string?> extra)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Gateway:Origins:o1"] = Origin.Origin.BaseUrl,
            ["Gateway:Admin:Token"] = Token,
            ["Recorder:OutputDirectory"] = OutputDirectory,
            ["Recorder:FfmpegDirectory"] = Path.GetDirectoryName(Tools.Ffmpeg),
            ["Recorder:Upload:Target"] = "directory",
            ["Recorder:Upload:Directory"] = TargetDirectory,
            ["Recorder:Upload:MinFreeBytes"] = "0",
            ["Recorder:Upload:RetryDelay"] = "00:00:00.200",
            ["Recorder:Upload:MaxRetryDelay"] = "00:00:00.400",
        };
        foreach (var (k, v) in extra)
        {
            settings[k] = v;
        }
        var gw = await GatewayHost.StartAsync(settings);
        gw.Client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Token);
        return gw;
    }

    private static async Task<JsonDocument> GetJsonAsync(HttpClient client, string path) => JsonDocument.Parse(await client.GetStringAsync(path));

    private static async Task<double?> MetricAsync(HttpClient client, string name)
    {
        var text = await client.GetStringAsync("/metrics");
        var line = text.Split('\n').FirstOrDefault(l => l.StartsWith(name + " ", StringComparison.Ordinal) || l.StartsWith(name + "{", StringComparison.Ordinal));
        return line is null ? null : double.Parse(line[(line.LastIndexOf(' ') + 1)..], CultureInfo.InvariantCulture);
    }

    private static async Task<JsonElement> WaitForJsonAsync(HttpClient client, string path, Func<JsonElement, bool> condition, string what)
    {
        var until = DateTime.UtcNow + Wait;
        string last = "";
        while (DateTime.UtcNow < until)
        {
            last = await client.GetStringAsync(path);
            var root = JsonDocument.Parse(last).RootElement;
            if (condition(root))
            {
                return root;
            }
            await Task.Delay(100);
        }
        throw new TimeoutException($"timed out waiting for {what}; last {path}: {last}");
    }

    [Fact]
    public async Task A_stopped_recording_reads_uploading_until_its_parts_are_uploaded_with_progress_in_admin_stats_and_metrics()
    {
        await File.WriteAllTextAsync(Blocker, "a file where the upload directory's parent should be");
        await using var gw = await StartGatewayAsync(new()
        {
            ["Recorder:Recordings:0:Name"] = "news",
            ["Recorder:Recordings:0:Url"] = "/hls/o1/live/index.m3u8",
            ["Recorder:Upload:MaxAttempts"] = "100",
        });
        await WaitForJsonAsync(gw.Client, "/admin/recordings/news", r => r.GetProperty("state").GetString() == "recording" && r.GetProperty("lastMediaSequence").GetInt64() == 3, "recording");
        Origin.Append(4, 4);
        await WaitForJsonAsync(gw.Client, "/admin/recordings/news", r => r.GetProperty("lastMediaSequence").GetInt64() == 4, "segment 4");
        using (var stop = await gw.Client.DeleteAsync("/admin/recordings/news"))
        {
            Assert.Equal(HttpStatusCode.OK, stop.StatusCode);
        }

        // stopped, but its part cannot reach the target yet: uploading, with the retries and the reason visible
        var news = await WaitForJsonAsync(gw.Client, "/admin/recordings/news",
            r => r.GetProperty("uploads").GetArrayLength() == 1 && r.GetProperty("uploads")[0].GetProperty("attempts").GetInt32() >= 3, "failing attempts");
        // attempt 3 started: attempts 1 and 2 have failed and were counted
        Assert.Equal("uploading", news.GetProperty("state").GetString());
        var part = news.GetProperty("uploads")[0];
        Assert.Equal("news", part.GetProperty("recording").GetString());
        Assert.Equal(1, part.GetProperty("part").GetInt32());
        Assert.EndsWith(".mp4", part.GetProperty("path").GetString());
        Assert.Contains(part.GetProperty("state").GetString(), new[] { "queued", "uploading" });
        var partBytes = part.GetProperty("bytes").GetInt64();
        Assert.True(partBytes > 0);
        Assert.Equal(0, part.GetProperty("bytesSent").GetInt64());
        Assert.False(string.IsNullOrEmpty(part.GetProperty("error").GetString()));
        Assert.Equal(JsonValueKind.Null, part.GetProperty("remoteId").ValueKind);
        Assert.True(part.TryGetProperty("bytesPerSecond", out _));
        Assert.True(part.TryGetProperty("etaSeconds", out _));
        var summary = news.GetProperty("upload");
        Assert.Equal(1, summary.GetProperty("queued").GetInt32() + summary.GetProperty("uploading").GetInt32());
        Assert.Equal(partBytes, summary.GetProperty("bytesPending").GetInt64());
        Assert.Equal(0, summary.GetProperty("done").GetInt32());

        // the list shows the same, and the whole queue too
        using (var list = await GetJsonAsync(gw.Client, "/admin/recordings"))
        {
            Assert.Equal("uploading", list.RootElement.EnumerateArray().Single().GetProperty("state").GetString());
        }
        using (var queue = await GetJsonAsync(gw.Client, "/admin/recordings/uploads"))
        {
            Assert.Equal("directory", queue.RootElement.GetProperty("target").GetString());
            Assert.Equal(1, queue.RootElement.GetProperty("summary").GetProperty("pending").GetInt32());
            Assert.True(queue.RootElement.GetProperty("failures").GetInt64() >= 2);
            Assert.Equal(part.GetProperty("path").GetString(), queue.RootElement.GetProperty("items").EnumerateArray().Single().GetProperty("path").GetString());
        }

        // /stats: the recording's upload summary and the running upload with its error
        using (var stats = await GetJsonAsync(gw.Client, "/stats"))
        {
            var row = stats.RootElement.GetProperty("recorder").EnumerateArray().Single();
            Assert.Equal("uploading", row.GetProperty("state").GetString());
            Assert.Equal(1, row.GetProperty("uploadQueue").GetInt64());
            Assert.Equal(0, row.GetProperty("bytesUploaded").GetInt64());
            Assert.Equal(partBytes, row.GetProperty("upload").GetProperty("bytesPending").GetInt64());
            var upload = stats.RootElement.GetProperty("uploads").EnumerateArray().Single();
            Assert.Equal("news", upload.GetProperty("stream").GetString());
            Assert.Contains(upload.GetProperty("state").GetString(), new[] { "queued", "uploading" });
            Assert.False(string.IsNullOrEmpty(upload.GetProperty("error").GetString()));
        }

        // metrics: one part waiting, failed attempts counted, nothing uploaded yet
        Assert.Equal(1, await MetricAsync(gw.Client, "hlsgw_upload_queue_length"));
        Assert.True(await MetricAsync(gw.Client, "hlsgw_upload_failures_total") >= 2);
        Assert.Equal(0, await MetricAsync(gw.Client, "hlsgw_upload_bytes_total") ?? 0);

        // the target comes back: the part is uploaded, the recording reads stopped
        File.Delete(Blocker);
        news = await WaitForJsonAsync(gw.Client, "/admin/recordings/news", r => r.GetProperty("state").GetString() == "stopped", "upload done");
        part = news.GetProperty("uploads")[0];
        Assert.Equal("done", part.GetProperty("state").GetString());
        Assert.Equal(partBytes, part.GetProperty("bytesSent").GetInt64());
        Assert.StartsWith(TargetDirectory, part.GetProperty("remoteId").GetString());
        Assert.Equal(JsonValueKind.Null, part.GetProperty("error").ValueKind);
        Assert.True(File.Exists(Path.Combine(TargetDirectory, part.GetProperty("path").GetString()!)));
        Assert.Equal(1, news.GetProperty("upload").GetProperty("done").GetInt32());
        Assert.Equal(0, news.GetProperty("upload").GetProperty("bytesPending").GetInt64());

        Assert.Equal(partBytes, await MetricAsync(gw.Client, "hlsgw_upload_bytes_total"));
        Assert.Equal(0, await MetricAsync(gw.Client, "hlsgw_upload_queue_length"));
        using (var stats = await GetJsonAsync(gw.Client, "/stats"))
        {
            var row = stats.RootElement.GetProperty("recorder").EnumerateArray().Single();
            Assert.Equal("stopped", row.GetProperty("state").GetString());
            Assert.Equal(partBytes, row.GetProperty("bytesUploaded").GetInt64());
            Assert.Equal(0, row.GetProperty("uploadQueue").GetInt64());
            Assert.Empty(stats.RootElement.GetProperty("uploads").EnumerateArray()); // done uploads are not listed
        }
    }

    [Fact]
    public async Task A_poisoned_part_is_failed_with_its_reason_in_the_admin_queue_stats_and_metrics()
    {
        await File.WriteAllTextAsync(Blocker, "a file where the upload directory's parent should be");
        await using var gw = await StartGatewayAsync(new() { ["Recorder:Upload:MaxAttempts"] = "2" });
        Directory.CreateDirectory(Path.Combine(OutputDirectory, "cam"));
        await File.WriteAllBytesAsync(Path.Combine(OutputDirectory, "cam", "p001.ts"), new byte[64 * 1024]);
        Assert.True(gw.Services.GetRequiredService<UploadQueue>().Enqueue("cam", 1, "cam/p001.ts"));

        var queue = await WaitForJsonAsync(gw.Client, "/admin/recordings/uploads?state=failed", r => r.GetProperty("items").GetArrayLength() == 1, "failed part");
        var item = queue.GetProperty("items")[0];
        Assert.Equal("failed", item.GetProperty("state").GetString());
        Assert.Equal(2, item.GetProperty("attempts").GetInt32());
        Assert.Equal("cam/p001.ts", item.GetProperty("path").GetString());
        Assert.False(string.IsNullOrEmpty(item.GetProperty("error").GetString()));
        Assert.Equal(1, queue.GetProperty("summary").GetProperty("failed").GetInt32());
        Assert.Equal(0, queue.GetProperty("summary").GetProperty("pending").GetInt32());
        using (var none = await GetJsonAsync(gw.Client, "/admin/recordings/uploads?state=queued"))
        {
            Assert.Empty(none.RootElement.GetProperty("items").EnumerateArray());
        }
        using (var bad = await gw.Client.GetAsync("/admin/recordings/uploads?state=lost"))
        {
            Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
            Assert.Equal("application/problem+json", bad.Content.Headers.ContentType?.MediaType);
        }
        using (var anonymous = new HttpClient { BaseAddress = new Uri(gw.BaseUrl) })
        {
            Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync("/admin/recordings/uploads")).StatusCode);
        }

        using (var stats = await GetJsonAsync(gw.Client, "/stats"))
        {
            var upload = stats.RootElement.GetProperty("uploads").EnumerateArray().Single();
            Assert.Equal(("cam", 1, "failed"), (upload.GetProperty("stream").GetString(), upload.GetProperty("part").GetInt32(), upload.GetProperty("state").GetString()));
            Assert.Equal(item.GetProperty("error").GetString(), upload.GetProperty("error").GetString());
            Assert.Equal(65536, upload.GetProperty("bytes").GetInt64());
        }
        Assert.Equal(2, await MetricAsync(gw.Client, "hlsgw_upload_failures_total"));
        Assert.Equal(0, await MetricAsync(gw.Client, "hlsgw_upload_queue_length"));
    }

    [Fact]
    public void The_summary_counts_states_and_estimates_the_backlog_from_the_running_speed()
    {
        var t = DateTimeOffset.UnixEpoch;
        UploadStatus S(UploadState state, long bytes, long sent, double speed) => new("r", 1, "r/p", state, bytes, sent, speed, null, 1, null, null, t, null);
        var summary = UploadSummary.From([
            S(UploadState.Uploading, 1000, 400, 100), S(UploadState.Uploading, 500, 100, 100), S(UploadState.Queued, 1000, 0, 0),
            S(UploadState.Done, 2000, 2000, 0), S(UploadState.Failed, 300, 50, 0)]);
        Assert.Equal((1, 2, 1, 1, 3), (summary.Queued, summary.Uploading, summary.Done, summary.Failed, summary.Pending));
        Assert.Equal(4800, summary.Bytes);
        Assert.Equal(2550, summary.BytesSent);
        Assert.Equal(600 + 400 + 1000, summary.BytesPending);
        Assert.Equal(200, summary.BytesPerSecond);
        Assert.Equal(10, summary.EtaSeconds);

        Assert.Null(UploadSummary.From([S(UploadState.Queued, 10, 0, 0)]).EtaSeconds); // nothing moves: no estimate
        Assert.Equal(0, UploadSummary.From([S(UploadState.Done, 10, 10, 0)]).EtaSeconds);
    }

    /// <summary>Re-implemented so the scratch directory goes too (the base removes the origin and output directory).</summary>
    public new async Task DisposeAsync()
    {
        await base.DisposeAsync();
        Directory.Delete(_scratch, recursive: true);
    }
}
