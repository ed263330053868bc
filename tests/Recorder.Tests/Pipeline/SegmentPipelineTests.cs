using HlsGateway.Recorder.Pipeline;
using HlsGateway.Recorder.Playlists;
using Microsoft.Extensions.Time.Testing;

namespace HlsGateway.Tests.Pipeline;

public sealed class SegmentPipelineTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("rec-pipe-").FullName;
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
    private readonly Observer _observer = new();
    private readonly SegmentPipeline _pipeline = SegmentPipeline.CreateDefault();

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private RecordingSession NewSession(double splitSeconds = 0, long splitBytes = 0, string name = "news") =>
        new(RecordingJournal.LoadOrCreate(_root, name, "/hls/o/live.m3u8"), _root, "{stream}/part{part:000}", splitSeconds, splitBytes, _time, _observer);

    private static SegmentData Seg(long media, long disc = 0, long epoch = 0, int size = 100, double duration = 1, string? missing = null, bool discontinuity = false,
        string? init = null, SegmentKey? key = null) => new()
        {
            Key = new SequenceKey(epoch, disc, media),
            Uri = $"s{media}.ts",
            Duration = duration,
            TargetDuration = 1,
            Body = missing is null ? Enumerable.Repeat((byte)(media & 0xFF), size).ToArray() : default,
            MissingReason = missing,
            Discontinuity = discontinuity,
            InitUri = init,
            InitBody = init is null ? default : new byte[] { 0xAA, 0xBB },
            EncryptionKey = key,
        };

    private async Task<List<SegmentOutcome>> FeedAsync(RecordingSession s, params SegmentData[] segments)
    {
        var outcomes = new List<SegmentOutcome>();
        foreach (var seg in segments)
        {
            outcomes.Add(await _pipeline.ProcessAsync(s, seg, CancellationToken.None));
        }
        return outcomes;
    }

    [Fact]
    public async Task Duplicates_are_dropped_by_sequence_not_uri()
    {
        using var s = NewSession();
        var outcomes = await FeedAsync(s, Seg(1), Seg(2), Seg(2), Seg(1), Seg(3));
        Assert.Equal([SegmentOutcome.Written, SegmentOutcome.Written, SegmentOutcome.Duplicate, SegmentOutcome.Duplicate, SegmentOutcome.Written], outcomes);
        Assert.Equal(3, s.CurrentPart!.Segments);
        Assert.Equal(300, new FileInfo(Path.Combine(_root, s.CurrentPart.RawPath)).Length);
        Assert.Equal(2, s.Duplicates);
        // same media sequence in a new epoch (encoder restart) is new content
        Assert.Equal([SegmentOutcome.Written], await FeedAsync(s, Seg(1, epoch: 1)));
    }

    [Fact]
    public void History_is_bounded()
    {
        var h = new SequenceHistory(3);
        for (var i = 0; i < 5; i++)
        {
            Assert.True(h.Add(new SequenceKey(0, 0, i)));
        }
        Assert.Equal(3, h.Count);
        Assert.False(h.Contains(new SequenceKey(0, 0, 0)));
        Assert.True(h.Contains(new SequenceKey(0, 0, 4)));
        Assert.False(h.Add(new SequenceKey(0, 0, 4)));
    }

    [Fact]
    public async Task Gaps_are_ledgered_merged_and_start_a_new_part()
    {
        using var s = NewSession();
        await FeedAsync(s, Seg(10), Seg(11));
        _time.Advance(TimeSpan.FromSeconds(90));
        await FeedAsync(s, Seg(14), Seg(15, missing: GapReasons.NotFound, duration: 0.9), Seg(16, missing: GapReasons.NotFound, duration: 1.1), Seg(17));
        var gaps = s.Journal.Gaps;
        Assert.Equal(2, gaps.Count);
        Assert.Equal((12L, 13L, 2.0, GapReasons.Skipped), (gaps[0].From, gaps[0].To, gaps[0].DurationSeconds, gaps[0].Reason));
        Assert.Equal(_time.GetUtcNow(), gaps[0].AtUtc);
        Assert.Equal((15L, 16L, GapReasons.NotFound), (gaps[1].From, gaps[1].To, gaps[1].Reason));
        Assert.Equal(2.0, gaps[1].DurationSeconds, 3);
        Assert.Equal(3, _observer.Gaps.Count); // added, added, extended
        var parts = s.Journal.Parts;
        Assert.Equal(3, parts.Count); // 10-11 | 14 | 17
        Assert.Equal(["gap", "gap"], parts.Take(2).Select(p => p.CloseReason));
        Assert.Equal((14L, 14L), (parts[1].FirstSequence, parts[1].LastSequence));
        Assert.Equal(new DateTimeOffset(2026, 1, 1, 0, 1, 30, TimeSpan.Zero), parts[1].StartUtc); // the injected clock, not the machine's
        Assert.Equal(parts[1].StartUtc, parts[0].EndUtc);
        Assert.Equal(17, s.LastKey!.Value.Media);
        // a late arrival of a ledgered sequence is not inserted
        Assert.Equal([SegmentOutcome.Stale], await FeedAsync(s, Seg(13)));
    }

    [Fact]
    public async Task Discontinuity_and_sequence_reset_start_new_parts()
    {
        using var s = NewSession();
        await FeedAsync(s, Seg(1), Seg(2), Seg(3, disc: 1, discontinuity: true), Seg(4, disc: 1), Seg(0, disc: 1, epoch: 1), Seg(1, disc: 1, epoch: 1));
        var parts = s.Journal.Parts;
        Assert.Equal(3, parts.Count);
        Assert.Equal(["discontinuity", "sequence-reset", null], parts.Select(p => p.CloseReason));
        Assert.Equal([2, 2, 2], parts.Select(p => p.Segments));
        Assert.Empty(s.Journal.Gaps); // a reset is not a gap
    }

    [Fact]
    public async Task Split_by_seconds_and_bytes_at_segment_boundaries()
    {
        using (var s = NewSession(splitSeconds: 4))
        {
            await FeedAsync(s, Enumerable.Range(0, 10).Select(i => Seg(i)).ToArray());
            Assert.Equal([4, 4, 2], s.Journal.Parts.Select(p => p.Segments));
            Assert.Equal([4.0, 4.0, 2.0], s.Journal.Parts.Select(p => p.DurationSeconds));
            Assert.All(s.Journal.Parts.Take(2), p => Assert.Equal("split-time", p.CloseReason));
        }
        using (var s = NewSession(splitBytes: 250, name: "bytes"))
        {
            await FeedAsync(s, Enumerable.Range(0, 5).Select(i => Seg(i)).ToArray());
            Assert.Equal([2, 2, 1], s.Journal.Parts.Select(p => p.Segments));
            Assert.All(s.Journal.Parts, p => Assert.True(p.Bytes <= 250));
        }
    }

    [Fact]
    public async Task Requested_split_takes_effect_at_the_next_segment()
    {
        using var s = NewSession();
        await FeedAsync(s, Seg(1), Seg(2));
        var t = Task.Run(s.RequestSplit);
        await t;
        await FeedAsync(s, Seg(3), Seg(4));
        Assert.Equal([2, 2], s.Journal.Parts.Select(p => p.Segments));
        Assert.Equal("split-requested", s.Journal.Parts[0].CloseReason);
    }

    [Fact]
    public async Task Fmp4_parts_start_with_the_init_section_and_keys_are_noted()
    {
        using var s = NewSession(splitSeconds: 2);
        var key = new SegmentKey("AES-128", "https://keys/k1", null, null);
        await FeedAsync(s, Seg(1, init: "init.mp4", key: key), Seg(2, init: "init.mp4", key: key), Seg(3, init: "init.mp4", key: key), Seg(4, init: "init2.mp4"));
        var parts = s.Journal.Parts;
        Assert.Equal(3, parts.Count);
        Assert.EndsWith(".m4s", parts[0].RawPath);
        Assert.Equal("init-changed", parts[1].CloseReason);
        var first = File.ReadAllBytes(Path.Combine(_root, parts[0].RawPath));
        Assert.Equal(202, first.Length);
        Assert.Equal([0xAA, 0xBB], first[..2]);
        var second = File.ReadAllBytes(Path.Combine(_root, parts[1].RawPath));
        Assert.Equal([0xAA, 0xBB], second[..2]);
        Assert.Equal(["https://keys/k1"], parts[0].KeyUris);
    }

    [Fact]
    public async Task Journal_is_persisted_and_a_new_session_resumes_without_duplicates()
    {
        using (var s = NewSession())
        {
            await FeedAsync(s, Seg(5), Seg(6), Seg(8));
            s.Abandon(); // crash: part stays open in the sidecar
        }
        var journal = RecordingJournal.LoadOrCreate(_root, "news", "x");
        Assert.Equal(8, journal.LastKey!.Value.Media);
        Assert.Equal(PartState.Open, journal.Parts[^1].State);
        Assert.Single(journal.Gaps);

        using var resumed = new RecordingSession(journal, _root, "{stream}/part{part:000}", 0, 0, _time, _observer);
        var outcomes = await FeedAsync(resumed, Seg(6), Seg(7), Seg(8), Seg(9));
        Assert.Equal([SegmentOutcome.Stale, SegmentOutcome.Stale, SegmentOutcome.Duplicate, SegmentOutcome.Written], outcomes);
        Assert.Equal(3, resumed.Journal.NextPartNumber - 1);
    }

    private sealed class Observer : IRecordingObserver
    {
        public List<GapEntry> Gaps { get; } = [];

        public List<PartInfo> Closed { get; } = [];

        public void GapRecorded(GapEntry gap) => Gaps.Add(gap);

        public void PartClosed(PartInfo part) => Closed.Add(part);

        public void PartOpened(PartInfo part)
        {
        }
    }
}
