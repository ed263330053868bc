using HlsGateway.Recorder.Configuration;
using HlsGateway.Recorder.Events;
using HlsGateway.Recorder.Lifecycle;
using HlsGateway.Recorder.Pipeline;
using HlsGateway.Recorder.Playlists;
using HlsGateway.Tests.Common;
using HlsGateway.Tests.Support;
using Xunit.Abstractions;

namespace HlsGateway.Tests.Lifecycle;

/// <summary>
/// A real ffmpeg process writing a sliding-window live HLS stream, served live from disk, recorded for ~10 s.
/// MPEG-TS here; <see cref="LiveFfmpegFmp4RecordingTests"/> runs it over fMP4 (<c>-hls_segment_type fmp4</c>).
/// </summary>
public class LiveFfmpegRecordingTests : IAsyncLifetime
{
    private readonly ITestOutputHelper output;
    private readonly bool _fmp4;
    private readonly string _media = Directory.CreateTempSubdirectory("rec-live-").FullName;
    private readonly string _out = Directory.CreateTempSubdirectory("rec-out-").FullName;
    private LocalProcess? _ffmpeg;
    private DirectoryOrigin? _origin;

    public LiveFfmpegRecordingTests(ITestOutputHelper output)
        : this(output, fmp4: false)
    {
    }

    protected LiveFfmpegRecordingTests(ITestOutputHelper output, bool fmp4)
    {
        this.output = output;
        _fmp4 = fmp4;
    }

    public async Task InitializeAsync()
    {
        _ffmpeg = LocalProcess.Start(Tools.Ffmpeg,
        [
            "-hide_banner", "-loglevel", "error", "-re",
            "-f", "lavfi", "-i", "testsrc=size=320x180:rate=25", "-f", "lavfi", "-i", "sine",
            "-t", "40", "-c:v", "libx264", "-preset", "ultrafast", "-g", "25", "-keyint_min", "25", "-sc_threshold", "0",
            "-c:a", "aac", "-f", "hls", "-hls_time", "1", "-hls_list_size", "6", "-hls_flags", "delete_segments+temp_file+program_date_time",
            .. (_fmp4 ? (string[])["-hls_segment_type", "fmp4", "-hls_fmp4_init_filename", "init.mp4"] : []),
            Path.Combine(_media, "index.m3u8"),
        ], _media);
        _origin = await DirectoryOrigin.StartAsync(_media);
        var playlist = Path.Combine(_media, "index.m3u8");
        await RecorderHost.WaitUntilAsync(() => File.Exists(playlist) && File.ReadAllText(playlist).Split("#EXTINF").Length > 2, TimeSpan.FromSeconds(20), "ffmpeg's first segments");
    }

    public async Task DisposeAsync()
    {
        if (_origin is not null)
        {
            await _origin.DisposeAsync();
        }
        if (_ffmpeg is not null)
        {
            await _ffmpeg.DisposeAsync();
        }
        Directory.Delete(_media, recursive: true);
        Directory.Delete(_out, recursive: true);
    }

    [Fact]
    public async Task Recording_of_a_live_ffmpeg_stream_lasts_the_wall_time_with_no_duplicates_or_gaps()
    {
        await using var host = await RecorderHost.StartAsync(_out, new Dictionary<string, string?> { ["Recorder:BaseUrl"] = _origin!.BaseUrl });
        var (result, _) = await host.Manager.StartRecordingAsync(new RecordingDefinition { Name = "live", Url = "/index.m3u8" }, CancellationToken.None);
        Assert.Equal(StartRecordingResult.Started, result);
        await host.WaitForEventAsync<StreamStartEventArgs>(_ => true, TimeSpan.FromSeconds(15));
        Assert.Equal(RecordingState.Recording, host.Manager.Get("live")!.State);
        await Task.Delay(TimeSpan.FromSeconds(10));
        // what ffmpeg had published when the stop was asked for: the recording must hold all of it (catch-up on stop)
        Assert.True(PlaylistParser.TryParseMedia(await File.ReadAllTextAsync(Path.Combine(_media, "index.m3u8")), out var atStop));
        var published = atStop.LastMediaSequence;
        Assert.True(await host.Manager.StopRecordingAsync("live"));
        var stoppedAt = DateTimeOffset.UtcNow;

        var status = host.Manager.Get("live")!;
        foreach (var part in status.Parts)
        {
            await host.WaitForEventAsync<RecordPartEventArgs>(e => e.Part.Number == part.Number, TimeSpan.FromSeconds(30));
        }
        status = host.Manager.Get("live")!;
        Assert.Equal(RecordingState.Stopped, status.State);
        Assert.Empty(status.Gaps);
        Assert.Equal(0, status.Duplicates);
        var seen = new HashSet<long>();
        double probed = 0;
        foreach (var part in status.Parts)
        {
            Assert.True(part.State == PartState.Remuxed, $"{part.State}: {part.Error}");
            Assert.Equal(_fmp4 ? "init.mp4" : null, part.InitUri);
            for (var s = part.FirstSequence; s <= part.LastSequence; s++)
            {
                Assert.True(seen.Add(s), $"sequence {s} twice");
            }
            var mp4 = Path.Combine(_out, part.Mp4Path!);
            probed += await TestMedia.ProbeSecondsAsync(mp4);
            await TestMedia.AssertDecodesAsync(mp4);
        }
        // wall time: from the wall-clock start of the first recorded segment (ffmpeg's PROGRAM-DATE-TIME) to the stop
        var startedAt = status.Parts[0].ProgramDateTime ?? throw new InvalidOperationException("ffmpeg sent no EXT-X-PROGRAM-DATE-TIME");
        var wall = stoppedAt - startedAt;
        output.WriteLine($"wall {wall.TotalSeconds:0.000} s, recorded (ffprobe) {probed:0.000} s, playlist sum {status.DurationSeconds:0.000} s, segments {status.Segments}, parts {status.Parts.Count}");
        Assert.True(status.Parts[^1].LastSequence >= published, $"recorded up to {status.Parts[^1].LastSequence}, ffmpeg had published {published} before the stop");
        // At most the segment still being produced at the stop is missing (1 s), +0.25 s of jitter. The wall clock
        // counts from ffmpeg's first PROGRAM-DATE-TIME, and ffmpeg dates each segment by adding durations: when a busy
        // 2-core box makes -re fall behind real time, that lag shows up here too (seen: 1.37 s short, 893-test run),
        // so one more segment of allowance; the sequence check above is the exact one.
        Assert.InRange(probed, wall.TotalSeconds - 2.25, wall.TotalSeconds + 0.25);
    }
}
