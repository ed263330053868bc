using System.Text.Json;
using HlsGateway.Tests.Common;
using HlsGateway.Tests.Support;
using Xunit.Abstractions;

namespace HlsGateway.Tests.Lifecycle;

/// <summary>
/// kill -9 of the real gateway process mid-recording, then a restart on the same output directory: finished
/// parts stay intact and playable, no MP4 lacks its moov, the part that was open is finished on restart, and
/// the recording resumes with no media sequence recorded twice and what was missed while down in the gap ledger.
/// </summary>
public sealed class KillNineRecoveryTests(ITestOutputHelper output) : LiveOriginTest("rec-kill9-")
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(60);
    private Dictionary<string, string> Settings() => new()
    {
        ["Gateway:Origins:o1"] = Origin.Origin.BaseUrl,
        ["Recorder:OutputDirectory"] = OutputDirectory,
        ["Recorder:FfmpegDirectory"] = Path.GetDirectoryName(Tools.Ffmpeg)!,
        ["Recorder:RetryDelay"] = "00:00:00.250",
        ["Recorder:SplitSeconds"] = "2",
        ["Recorder:Recordings:0:Name"] = "news",
        ["Recorder:Recordings:0:Url"] = "/hls/o1/live/index.m3u8",
    };

    /// <summary>A live stream: the next 1-second segment every second.</summary>
    private async Task LiveAsync(CancellationToken ct)
    {
        try
        {
            while (true)
            {
                await Task.Delay(1000, ct);
                var next = Origin.NewestSequence + 1;
                Origin.Append(next, (int)next);
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private JsonElement Sidecar()
    {
        using var doc = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(OutputDirectory, ".recorder", "news.json")));
        return doc.RootElement.Clone();
    }

    private static IEnumerable<JsonElement> Parts(JsonElement status) => status.GetProperty("parts").EnumerateArray();

    private static string State(JsonElement part) => part.GetProperty("state").GetString()!;

    [Fact]
    public async Task Kill_9_mid_recording_leaves_playable_parts_and_a_restart_finishes_the_open_part_and_resumes()
    {
        using var stop = new CancellationTokenSource();
        var live = LiveAsync(stop.Token);

        // 1. record until two parts are finished (remuxed) and a third is being written
        var first = await GatewayProcess.StartAsync(Settings());
        await using (first)
        {
            await first.WaitForAsync("news", s => Parts(s).Count(p => State(p) == "remuxed") >= 2 && Parts(s).Any(p => State(p) == "open" && p.GetProperty("segments").GetInt32() >= 1),
                Wait, "two finished parts and an open one");
            await first.KillAsync();
        }
        var killedAt = Origin.NewestSequence;
        var before = Sidecar();
        var lastBefore = before.GetProperty("lastKey").GetProperty("media").GetInt64();
        var open = Parts(before).Where(p => State(p) == "open").ToList();
        Assert.True(open.Count == 1, "the sidecar should still call one part open: " + before);
        var openRaw = Path.Combine(OutputDirectory, open[0].GetProperty("rawPath").GetString()!);
        output.WriteLine($"killed at origin seq {killedAt}; last recorded {lastBefore}; open part {open[0].GetProperty("number")} ({open[0].GetProperty("segments")} segments)");

        // earlier parts intact and playable; no MP4 without its moov (every .mp4 probes and decodes)
        var mp4s = Directory.GetFiles(OutputDirectory, "*.mp4", SearchOption.AllDirectories);
        Assert.True(mp4s.Length >= 2, "finished parts: " + string.Join(", ", mp4s));
        foreach (var mp4 in mp4s)
        {
            Assert.InRange(await TestMedia.ProbeSecondsAsync(mp4), 0.5, 10);
            await TestMedia.AssertDecodesAsync(mp4);
        }
        foreach (var part in Parts(before).Where(p => State(p) == "remuxed"))
        {
            var mp4 = Path.Combine(OutputDirectory, part.GetProperty("mp4Path").GetString()!);
            Assert.InRange(await TestMedia.ProbeSecondsAsync(mp4), part.GetProperty("durationSeconds").GetDouble() - 0.5, part.GetProperty("durationSeconds").GetDouble() + 0.5);
        }
        // the raw file of the open part plays as far as it was written
        Assert.True(File.Exists(openRaw), openRaw);
        Assert.True(await TestMedia.ProbeSecondsAsync(openRaw) > 0.5);

        // 2. down long enough for the live window (4 segments) to move past what was recorded
        while (Origin.NewestSequence < lastBefore + 7)
        {
            await Task.Delay(100);
        }

        // 3. restart on the same output directory
        await using var second = await GatewayProcess.StartAsync(Settings());
        var restartedAt = Origin.NewestSequence;
        var openNumber = open[0].GetProperty("number").GetInt32();
        await second.WaitForAsync("news", s =>
            s.GetProperty("lastMediaSequence").ValueKind == JsonValueKind.Number && s.GetProperty("lastMediaSequence").GetInt64() >= restartedAt + 2,
            Wait, "the recording resumed");
        using (var stopped = await second.Client.DeleteAsync("/admin/recordings/news"))
        {
            Assert.True(stopped.IsSuccessStatusCode, await stopped.Content.ReadAsStringAsync());
        }
        await second.WaitForAsync("news", s => Parts(s).All(p => State(p) is "remuxed"), Wait, "every part remuxed");
        var after = (await second.RecordingAsync("news"))!.Value;
        output.WriteLine(after.ToString());

        var parts = Parts(after).OrderBy(p => p.GetProperty("number").GetInt32()).ToList();
        var recovered = parts.Single(p => p.GetProperty("number").GetInt32() == openNumber);
        Assert.Equal("recovered", recovered.GetProperty("closeReason").GetString());
        Assert.Equal(lastBefore, recovered.GetProperty("lastSequence").GetInt64());
        Assert.False(File.Exists(openRaw), "the recovered part's raw file is replaced by its MP4");

        // no media sequence in two parts, in order
        for (var i = 1; i < parts.Count; i++)
        {
            Assert.True(parts[i].GetProperty("firstSequence").GetInt64() > parts[i - 1].GetProperty("lastSequence").GetInt64(),
                $"part {parts[i].GetProperty("number")} overlaps part {parts[i - 1].GetProperty("number")}");
        }
        // what was missed while down is in the gap ledger, and the next part starts right after it
        var gap = Assert.Single(after.GetProperty("gaps").EnumerateArray());
        Assert.Equal(lastBefore + 1, gap.GetProperty("from").GetInt64());
        Assert.Equal("skipped", gap.GetProperty("reason").GetString());
        var resumed = parts.First(p => p.GetProperty("firstSequence").GetInt64() > lastBefore);
        Assert.Equal(gap.GetProperty("to").GetInt64() + 1, resumed.GetProperty("firstSequence").GetInt64());

        foreach (var part in parts)
        {
            var mp4 = Path.Combine(OutputDirectory, part.GetProperty("mp4Path").GetString()!);
            Assert.InRange(await TestMedia.ProbeSecondsAsync(mp4), part.GetProperty("durationSeconds").GetDouble() - 0.5, part.GetProperty("durationSeconds").GetDouble() + 0.5);
            await TestMedia.AssertDecodesAsync(mp4);
        }
        Assert.Empty(Directory.GetFiles(OutputDirectory, "*.partial", SearchOption.AllDirectories));

        await stop.CancelAsync();
        await live;
    }
}
