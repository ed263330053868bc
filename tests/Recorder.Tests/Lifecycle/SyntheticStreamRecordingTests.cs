using HlsGateway.Recorder.Configuration;
using HlsGateway.Recorder.Events;
using HlsGateway.Recorder.Lifecycle;
using HlsGateway.Recorder.Pipeline;
using HlsGateway.Recorder.Sources;
using HlsGateway.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace HlsGateway.Tests.Lifecycle;

/// <summary>
/// Real recorder (AddRecorder in a real host, real HTTP, real ffmpeg remux) against an origin whose
/// playlist the test writes step by step over real ffmpeg-made segments, so gaps, splits,
/// discontinuities, resets and crashes happen exactly where the test puts them.
/// </summary>
/// <remarks>MPEG-TS here; <see cref="SyntheticFmp4StreamRecordingTests"/> runs every test again over fMP4 (EXT-X-MAP) segments.</remarks>
public class SyntheticStreamRecordingTests : IAsyncLifetime
{
    protected static readonly TimeSpan Wait = TimeSpan.FromSeconds(20);
    private readonly bool _fmp4;
    private protected readonly string _out = Directory.CreateTempSubdirectory("rec-out-").FullName;
    private protected SyntheticLiveOrigin _origin = null!;

    public SyntheticStreamRecordingTests()
        : this(fmp4: false)
    {
    }

    protected SyntheticStreamRecordingTests(bool fmp4) => _fmp4 = fmp4;

    public async Task InitializeAsync() => _origin = await SyntheticLiveOrigin.StartAsync(_fmp4);

    public async Task DisposeAsync()
    {
        await _origin.DisposeAsync();
        Directory.Delete(_out, recursive: true);
    }

    private protected Task<RecorderHost> StartHostAsync(Dictionary<string, string?>? extra = null)
    {
        var settings = new Dictionary<string, string?> { ["Recorder:BaseUrl"] = _origin.Origin.BaseUrl };
        foreach (var (k, v) in extra ?? [])
        {
            settings[k] = v;
        }
        return RecorderHost.StartAsync(_out, settings);
    }

    private protected static async Task StartRecordingAsync(RecorderHost host, string url = "/live/index.m3u8")
    {
        var (result, errors) = await host.Manager.StartRecordingAsync(new RecordingDefinition { Name = "news", Url = url }, CancellationToken.None);
        Assert.True(result == StartRecordingResult.Started, string.Join("; ", errors));
    }

    private protected static Task RecordedAsync(RecorderHost host, long seq, long epoch = 0) =>
        RecorderHost.WaitUntilAsync(() => host.Manager.Get("news") is { } s && s.Epoch == epoch && s.LastMediaSequence == seq, Wait, $"sequence {epoch}:{seq} recorded");

    private protected async Task AppendAsync(RecorderHost host, long seq, int? media = null, bool discontinuity = false)
    {
        _origin.Append(seq, media ?? (int)seq, discontinuity);
        await RecordedAsync(host, seq);
    }

    /// <summary>Stops gracefully and waits until every part is finished (record.part).</summary>
    private protected static async Task<RecordingStatus> StopAndFinishAsync(RecorderHost host, int fromPart = 1)
    {
        Assert.True(await host.Manager.StopRecordingAsync("news"));
        var status = host.Manager.Get("news")!;
        foreach (var part in status.Parts.Where(p => p.Number >= fromPart))
        {
            await host.WaitForEventAsync<RecordPartEventArgs>(e => e.Part.Number == part.Number, Wait);
        }
        return host.Manager.Get("news")!;
    }

    private protected static void AssertNoDuplicates(RecordingStatus status)
    {
        var seen = new HashSet<(long, long)>();
        foreach (var p in status.Parts)
        {
            Assert.Equal(p.LastSequence - p.FirstSequence + 1, p.Segments);
            for (var s = p.FirstSequence; s <= p.LastSequence; s++)
            {
                Assert.True(seen.Add((p.Epoch, s)), $"sequence {p.Epoch}:{s} recorded twice");
            }
        }
    }

    private protected async Task AssertRemuxedAsync(PartInfo part, double expectedSeconds)
    {
        Assert.True(part.State == PartState.Remuxed, $"part {part.Number}: {part.State} {part.Error}");
        var mp4 = Path.Combine(_out, part.Mp4Path!);
        Assert.False(File.Exists(Path.Combine(_out, part.RawPath)), "raw part kept after a verified remux");
        var seconds = await TestMedia.ProbeSecondsAsync(mp4);
        Assert.InRange(seconds, expectedSeconds - 0.5, expectedSeconds + 0.5);
        await TestMedia.AssertDecodesAsync(mp4);
    }

    private protected void Window(long first, long last)
    {
        for (var s = first; s <= last; s++)
        {
            _origin.Append(s, (int)s);
        }
    }

    [Fact]
    public async Task Gaps_are_recorded_exactly_where_the_origin_loses_segments()
    {
        Window(0, 3);
        await using var host = await StartHostAsync();
        await StartRecordingAsync(host);
        await RecordedAsync(host, 3); // a live recording starts at the live edge
        await AppendAsync(host, 4);
        await AppendAsync(host, 5);
        _origin.Append(6, 6);
        _origin.Origin.Remove(_origin.SegmentPath(6)); // listed but 404
        await AppendAsync(host, 7);
        _origin.Reset(10, 10, 4); // the window jumps: 8 and 9 were never listed
        await RecordedAsync(host, 13);
        await AppendAsync(host, 14);
        await AppendAsync(host, 15);

        var status = await StopAndFinishAsync(host);
        Assert.Equal([(6L, 6L, GapReasons.NotFound), (8L, 9L, GapReasons.Skipped)], status.Gaps.Select(g => (g.From, g.To, g.Reason)));
        Assert.Equal(1.0, status.Gaps[0].DurationSeconds, 3);
        Assert.Equal(2.0, status.Gaps[1].DurationSeconds, 3);
        Assert.Equal([(3L, 5L), (7L, 7L), (10L, 15L)], status.Parts.Select(p => (p.FirstSequence, p.LastSequence)));
        AssertNoDuplicates(status);
        Assert.Equal(0, status.Duplicates);
        Assert.Equal(2, host.Events.OfType<RecordGapEventArgs>().Count());
        await AssertRemuxedAsync(status.Parts[0], 3);
        await AssertRemuxedAsync(status.Parts[1], 1);
        await AssertRemuxedAsync(status.Parts[2], 6);

        // the ledger is persisted next to the recording
        var sidecar = RecordingJournal.LoadOrCreate(_out, "news", "");
        Assert.Equal(2, sidecar.Gaps.Count);
    }

    [Fact]
    public async Task SplitSeconds_4_gives_4_second_parts_at_segment_boundaries()
    {
        Window(0, 3);
        await using var host = await StartHostAsync(new() { ["Recorder:SplitSeconds"] = "4" });
        await StartRecordingAsync(host);
        await RecordedAsync(host, 3);
        for (var s = 4; s <= 14; s++)
        {
            await AppendAsync(host, s);
        }
        var status = await StopAndFinishAsync(host);
        Assert.Equal([(3L, 6L), (7L, 10L), (11L, 14L)], status.Parts.Select(p => (p.FirstSequence, p.LastSequence)));
        Assert.Equal(["split-time", "split-time", "stopped"], status.Parts.Select(p => p.CloseReason));
        foreach (var part in status.Parts)
        {
            await AssertRemuxedAsync(part, 4);
        }
        AssertNoDuplicates(status);
        Assert.Empty(status.Gaps);
    }

    [Fact]
    public async Task A_lagging_playlist_copy_every_few_reloads_writes_no_segment_twice_and_the_duration_is_the_unique_segments()
    {
        Window(0, 3);
        await using var host = await StartHostAsync();
        await StartRecordingAsync(host);
        await RecordedAsync(host, 3);
        var lagged = 0;
        for (var s = 4; s <= 15; s++)
        {
            await AppendAsync(host, s);
            if (s % 3 == 0)
            {
                // an older copy (media sequence 2 lower, same URIs, no discontinuity) for at least two reloads in a row
                _origin.PublishLagging(2);
                var hits = _origin.Origin.Hits(_origin.PlaylistPath);
                await RecorderHost.WaitUntilAsync(() => _origin.Origin.Hits(_origin.PlaylistPath) >= hits + 2, Wait, "two reloads of the lagging copy");
                _origin.Publish();
                lagged++;
            }
        }
        var status = await StopAndFinishAsync(host);

        Assert.Equal(4, lagged);
        Assert.Equal(0, status.Epoch);
        var part = Assert.Single(status.Parts);
        Assert.Equal((3L, 15L), (part.FirstSequence, part.LastSequence));
        AssertNoDuplicates(status);
        Assert.Empty(status.Gaps);
        // 13 unique 1-second segments (EXTINF 1.0 each): ± 1 frame at 25 fps
        Assert.True(part.State == PartState.Remuxed, $"{part.State} {part.Error}");
        var seconds = await TestMedia.ProbeSecondsAsync(Path.Combine(_out, part.Mp4Path!));
        Assert.InRange(seconds, 13 - 0.04 - 0.03, 13 + 0.04 + 0.03);
    }

    [Fact]
    public async Task Discontinuity_and_encoder_restart_start_new_parts()
    {
        Window(0, 3);
        await using var host = await StartHostAsync();
        await StartRecordingAsync(host);
        await RecordedAsync(host, 3);
        await AppendAsync(host, 4);
        await AppendAsync(host, 5, media: 0, discontinuity: true); // timestamps jump back
        await AppendAsync(host, 6, media: 1);
        _origin.Reset(0, 10, 3, discontinuity: true); // encoder restart: media sequence starts again at 0, higher DISCONTINUITY-SEQUENCE
        await RecordedAsync(host, 2, epoch: 1);
        var status = await StopAndFinishAsync(host);

        Assert.Equal([(0L, 3L, 4L), (0L, 5L, 6L), (1L, 0L, 2L)], status.Parts.Select(p => (p.Epoch, p.FirstSequence, p.LastSequence)));
        Assert.Equal(["discontinuity", "sequence-reset", "stopped"], status.Parts.Select(p => p.CloseReason));
        Assert.Equal(1, status.Parts[1].Discontinuity);
        Assert.Empty(status.Gaps);
        AssertNoDuplicates(status);
        await AssertRemuxedAsync(status.Parts[0], 2);
        await AssertRemuxedAsync(status.Parts[1], 2);
        await AssertRemuxedAsync(status.Parts[2], 3);
    }

    [Fact]
    public async Task Crash_mid_part_then_restart_keeps_earlier_parts_finishes_the_open_one_and_resumes_without_duplicates()
    {
        Window(0, 3);
        var split = new Dictionary<string, string?> { ["Recorder:SplitSeconds"] = "3" };
        string openRaw;
        long acknowledged;
        await using (var host = await StartHostAsync(split))
        {
            await StartRecordingAsync(host);
            await RecordedAsync(host, 3);
            for (var s = 4; s <= 7; s++)
            {
                await AppendAsync(host, s);
            }
            await host.WaitForEventAsync<RecordPartEventArgs>(e => e.Part.Number == 1, Wait);
            var open = host.Manager.Get("news")!.Parts[^1];
            Assert.Equal(PartState.Open, open.State);
            openRaw = Path.Combine(_out, open.RawPath);
            acknowledged = open.Bytes;
            await host.CrashAsync();
        }
        // a segment was half-written when the process died
        await File.AppendAllTextAsync(openRaw, new string('x', 1000));
        // the stream went on while the gateway was down, beyond the window
        _origin.WindowSize = 3;
        Window(8, 12);

        await using var restarted = await StartHostAsync(split);
        var recovered = await restarted.WaitForEventAsync<RecordPartEventArgs>(e => e.Part.Number == 2, Wait);
        Assert.Equal("recovered", recovered.Part.CloseReason);
        Assert.Equal(acknowledged, recovered.Part.Bytes);
        await StartRecordingAsync(restarted);
        await RecordedAsync(restarted, 12);
        Assert.True(restarted.Events.OfType<RecordStartEventArgs>().Single().Resumed);
        await AppendAsync(restarted, 13);
        await StopAndFinishAsync(restarted, fromPart: 3);

        var journal = RecordingJournal.LoadOrCreate(_out, "news", "");
        Assert.Equal([(3L, 5L), (6L, 7L), (10L, 12L), (13L, 13L)], journal.Parts.Select(p => (p.FirstSequence, p.LastSequence)));
        Assert.Equal([(8L, 9L, GapReasons.Skipped)], journal.Gaps.Select(g => (g.From, g.To, g.Reason)));
        await AssertRemuxedAsync(journal.Parts[0], 3);
        await AssertRemuxedAsync(journal.Parts[1], 2);
        await AssertRemuxedAsync(journal.Parts[2], 3);
        await AssertRemuxedAsync(journal.Parts[3], 1);
        Assert.Empty(Directory.GetFiles(_out, "*.partial", SearchOption.AllDirectories));
    }

    [Fact]
    public async Task Teed_segments_are_recorded_without_fetching_them()
    {
        Window(0, 3);
        await using var host = await StartHostAsync();
        await StartRecordingAsync(host);
        await RecordedAsync(host, 3);
        var tee = host.Services.GetRequiredService<ISegmentTee>();
        var (ts, _, fm) = await TestMedia.GetAsync();
        var seg4 = _origin.SegmentPath(4);
        var body = (_fmp4 ? fm : ts)[4];
        Assert.True(tee.Wants(seg4));
        Assert.False(tee.Wants("/other/seg4.ts"));
        Assert.True(tee.Offer(seg4, body));
        Assert.False(tee.Offer("/elsewhere/seg4.ts", body));
        await AppendAsync(host, 4);
        await AppendAsync(host, 5); // not teed: fetched by the recorder
        var status = await StopAndFinishAsync(host);
        Assert.Equal(0, _origin.Origin.Hits(seg4));
        Assert.Equal(1, _origin.Origin.Hits(_origin.SegmentPath(5)));
        Assert.Equal((3L, 5L), (status.Parts[0].FirstSequence, status.Parts[0].LastSequence));
        await AssertRemuxedAsync(status.Parts[0], 3);
        var stats = host.Services.GetRequiredService<RecordingTee>().Stats;
        Assert.Equal(1, stats.Hits);
    }
}
