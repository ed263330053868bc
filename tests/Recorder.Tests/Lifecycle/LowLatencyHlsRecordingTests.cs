using HlsGateway.Recorder.Configuration;
using HlsGateway.Recorder.Events;
using HlsGateway.Recorder.Lifecycle;
using HlsGateway.Recorder.Pipeline;
using HlsGateway.Tests.Support;

namespace HlsGateway.Tests.Lifecycle;

/// <summary>
/// LL-HLS sources (RFC 8216bis): a loopback origin serving real ffmpeg-made segments under a low-latency playlist
/// (EXT-X-SERVER-CONTROL, EXT-X-PART-INF, EXT-X-PART before each recent segment, the segment in progress as parts
/// only, EXT-X-PRELOAD-HINT). The recorder follows full segments: parts are never fetched, a segment that first
/// appeared as parts is written once when its EXTINF line arrives, and the output lasts the unique segments.
/// </summary>
public sealed class LowLatencyHlsRecordingTests : IDisposable
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(20);
    private readonly string _out = Directory.CreateTempSubdirectory("rec-ll-").FullName;

    public void Dispose() => Directory.Delete(_out, recursive: true);

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Full_segments_of_an_LL_HLS_playlist_are_recorded_once_and_parts_are_never_fetched(bool fmp4)
    {
        await using var origin = await SyntheticLiveOrigin.StartAsync(fmp4);
        origin.LowLatency = true;
        for (var s = 0; s <= 3; s++)
        {
            origin.Append(s, s);
        }
        origin.PublishParts(4, 4, 1);
        await using var host = await RecorderHost.StartAsync(_out, new Dictionary<string, string?> { ["Recorder:BaseUrl"] = origin.Origin.BaseUrl });
        var (result, errors) = await host.Manager.StartRecordingAsync(new RecordingDefinition { Name = "ll", Url = origin.PlaylistPath }, CancellationToken.None);
        Assert.True(result == StartRecordingResult.Started, string.Join("; ", errors));
        await Recorded(host, 3);
        for (var s = 4; s <= 12; s++)
        {
            // the segment shows up as one part, then two, for at least one reload each, then as a full segment
            origin.PublishParts(s, s, 1);
            await Reloads(origin, 1);
            origin.PublishParts(s, s, 2);
            await Reloads(origin, 1);
            Assert.Equal(s - 1, host.Manager.Get("ll")!.LastMediaSequence);
            origin.Append(s, s);
            origin.PublishParts(s + 1, s + 1, 1);
            await Recorded(host, s);
        }
        Assert.True(await host.Manager.StopRecordingAsync("ll"));
        var done = await host.WaitForEventAsync<RecordPartEventArgs>(e => e.Part.Number == 1, Wait);
        var status = host.Manager.Get("ll")!;

        var part = Assert.Single(status.Parts);
        Assert.Equal((3L, 12L, 10), (part.FirstSequence, part.LastSequence, part.Segments));
        Assert.Empty(status.Gaps);
        Assert.Equal(0, status.Duplicates);
        for (var s = 0L; s <= 13; s++)
        {
            Assert.Equal(0, origin.Origin.Hits(origin.PartPath(s, 0)) + origin.Origin.Hits(origin.PartPath(s, 1)));
        }
        for (var s = 4L; s <= 12; s++)
        {
            Assert.Equal(1, origin.Origin.Hits(origin.SegmentPath(s)));
        }
        Assert.True(done.Part.State == PartState.Remuxed, $"{done.Part.State} {done.Part.Error}");
        var mp4 = Path.Combine(_out, done.Part.Mp4Path!);
        // 10 unique 1-second segments: ± 1 frame at 25 fps (+ AAC priming rounding)
        Assert.InRange(await TestMedia.ProbeSecondsAsync(mp4), 10 - 0.07, 10 + 0.07);
        await TestMedia.AssertDecodesAsync(mp4);
    }

    private static Task Recorded(RecorderHost host, long seq) =>
        RecorderHost.WaitUntilAsync(() => host.Manager.Get("ll") is { } s && s.LastMediaSequence == seq, Wait, $"sequence {seq} recorded");

    private static async Task Reloads(SyntheticLiveOrigin origin, int count)
    {
        var hits = origin.Origin.Hits(origin.PlaylistPath);
        await RecorderHost.WaitUntilAsync(() => origin.Origin.Hits(origin.PlaylistPath) >= hits + count, Wait, "playlist reloads");
    }
}
