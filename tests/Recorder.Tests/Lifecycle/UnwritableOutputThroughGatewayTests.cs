using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using HlsGateway.Recorder.Events;
using HlsGateway.Recorder.Lifecycle;
using HlsGateway.Tests.Common;
using HlsGateway.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace HlsGateway.Tests.Lifecycle;

/// <summary>
/// Bad input inside the real gateway: the recording's output folder cannot be written → error event, the
/// recording pauses, and the same gateway keeps serving players meanwhile; it resumes once the folder is writable.
/// </summary>
public sealed class UnwritableOutputThroughGatewayTests() : LiveOriginTest("rec-unwritable-")
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);
    [Fact]
    public async Task Unwritable_output_pauses_the_recording_with_an_error_event_while_players_are_served()
    {
        // a file where the recording's folder must go: not writable even for root (tests may run as root, where chmod does not stop writes)
        var blocker = Path.Combine(OutputDirectory, "news");
        await File.WriteAllTextAsync(blocker, "in the way");
        await using var gw = await GatewayHost.StartAsync(new Dictionary<string, string?>
        {
            ["Gateway:Origins:o1"] = Origin.Origin.BaseUrl,
            ["Gateway:Admin:Token"] = "t0ken",
            ["Recorder:OutputDirectory"] = OutputDirectory,
            ["Recorder:FfmpegDirectory"] = Path.GetDirectoryName(Tools.Ffmpeg),
            ["Recorder:RetryDelay"] = "00:00:00.250",
        });
        var events = new ConcurrentQueue<RecorderEventArgs>();
        using var _ = gw.Services.GetRequiredService<RecorderEventBus>().Subscribe((e, _) =>
        {
            events.Enqueue(e);
            return ValueTask.CompletedTask;
        });
        using var start = new HttpRequestMessage(HttpMethod.Post, "/admin/recordings") { Content = JsonContent("{\"name\":\"news\",\"url\":\"/hls/o1/live/index.m3u8\"}") };
        start.Headers.Authorization = new AuthenticationHeaderValue("Bearer", "t0ken");
        using (var started = await gw.Client.SendAsync(start))
        {
            Assert.Equal(HttpStatusCode.Created, started.StatusCode);
        }
        var manager = gw.Services.GetRequiredService<RecordingManager>();

        await RecorderHost.WaitUntilAsync(() => events.OfType<RecorderErrorEventArgs>().Any(e => e.Recording == "news" && e.Stage == "write"), Wait, "error event");
        await RecorderHost.WaitUntilAsync(() => manager.Get("news")!.State == RecordingState.Paused, Wait, "paused");

        // players are served by the same gateway while the recording is paused
        Origin.Append(4, 4);
        // (the gateway may serve its cached copy of the live playlist for a moment)
        var until = DateTime.UtcNow + Wait;
        string playlist;
        while (!(playlist = await gw.Client.GetStringAsync("/hls/o1/live/index.m3u8")).Contains("seg4.ts", StringComparison.Ordinal))
        {
            Assert.True(DateTime.UtcNow < until, "the gateway never served the new playlist: " + playlist);
            await Task.Delay(100);
        }
        using (var segment = await gw.Client.GetAsync("/hls/o1/live/seg4.ts"))
        {
            Assert.Equal(HttpStatusCode.OK, segment.StatusCode);
            using var direct = new HttpClient { BaseAddress = new Uri(Origin.Origin.BaseUrl) };
            Assert.Equal(await direct.GetByteArrayAsync(Origin.SegmentPath(4)), await segment.Content.ReadAsByteArrayAsync());
        }
        Assert.Equal(RecordingState.Paused, manager.Get("news")!.State);
        using (var stats = JsonDocument.Parse(await gw.Client.GetStringAsync("/stats")))
        {
            var row = Assert.Single(stats.RootElement.GetProperty("recorder").EnumerateArray());
            Assert.Equal("paused", row.GetProperty("state").GetString());
            Assert.False(string.IsNullOrEmpty(row.GetProperty("lastError").GetString()));
        }

        File.Delete(blocker);
        await RecorderHost.WaitUntilAsync(() => manager.Get("news")!.State == RecordingState.Recording && manager.Get("news")!.Segments > 0, Wait, "recording resumed");
        await manager.StopRecordingAsync("news");
    }

    private static StringContent JsonContent(string json) => new(json, System.Text.Encoding.UTF8, "application/json");
}
