using System.Globalization;
using System.Text;
using HlsGateway.Demo;
using Microsoft.Extensions.Time.Testing;

namespace HlsGateway.Tests.Demo;

public sealed class DemoPlaylistGeneratorTests
{
    private static readonly DateTimeOffset Epoch = new(2030, 1, 1, 0, 0, 0, TimeSpan.Zero);

    internal static DemoSamples FakeSamples(params double[] durations)
    {
        byte[][] Segments(string tag) => durations.Select((_, i) => Encoding.ASCII.GetBytes($"G{tag}{i}")).ToArray();
        var spans = durations.Select(TimeSpan.FromSeconds).ToArray();
        return DemoSamples.Create(
        [
            new DemoRendition("lo", 320, 180, "avc1.4d401e,mp4a.40.2", 30, 200_000, 180_000, Segments("lo")),
            new DemoRendition("hi", 640, 360, "avc1.4d401e,mp4a.40.2", 30, 600_000, 550_000, Segments("hi")),
        ], spans);
    }

    private static (DemoPlaylistGenerator Generator, FakeTimeProvider Clock) Create(DemoSamples samples, TimeSpan sinceEpoch)
    {
        var clock = new FakeTimeProvider(Epoch + sinceEpoch);
        return (new DemoPlaylistGenerator(samples, clock, Epoch), clock);
    }

    [Fact]
    public void LiveEdge_CountsOnlySegmentsCompleteInWallClockTerms()
    {
        var (g, _) = Create(FakeSamples(2, 2, 2, 2, 2, 2), TimeSpan.Zero);
        Assert.Equal(-1, g.LiveEdge(Epoch));
        Assert.Equal(-1, g.LiveEdge(Epoch + TimeSpan.FromSeconds(1.999)));
        Assert.Equal(0, g.LiveEdge(Epoch + TimeSpan.FromSeconds(2)));
        Assert.Equal(0, g.LiveEdge(Epoch + TimeSpan.FromSeconds(3.999)));
        Assert.Equal(5, g.LiveEdge(Epoch + TimeSpan.FromSeconds(12)));
        Assert.Equal(5, g.LiveEdge(Epoch + TimeSpan.FromSeconds(13.999)));
        Assert.Equal(6, g.LiveEdge(Epoch + TimeSpan.FromSeconds(14)));
        Assert.Equal(5999, g.LiveEdge(Epoch + TimeSpan.FromSeconds(12_000)));
    }

    [Fact]
    public void LivePlaylist_IsASlidingWindowOfCompleteSegmentsWithProgramDateTime()
    {
        var (g, _) = Create(FakeSamples(2, 2, 2, 2, 2, 2), TimeSpan.FromSeconds(21)); // segments 0..9 complete
        var p = Parse(g.LivePlaylist(0, nested: false));

        Assert.Equal("3", p.Tag("#EXT-X-VERSION"));
        Assert.Equal("2", p.Tag("#EXT-X-TARGETDURATION"));
        Assert.Contains("#EXT-X-INDEPENDENT-SEGMENTS", p.Lines);
        Assert.DoesNotContain("#EXT-X-ENDLIST", p.Lines);
        Assert.Equal(4, p.MediaSequence);
        Assert.Equal(DemoPlaylistGenerator.WindowSize, p.Segments.Count);
        Assert.Equal(Enumerable.Range(4, 6).Select(n => $"live/hi/seg-{n}.ts"), p.Segments.Select(s => s.Uri));
        Assert.All(p.Segments, s => Assert.Equal("2.000", s.Duration));
        Assert.All(p.Segments, s => Assert.Equal(Epoch + TimeSpan.FromSeconds(2 * s.Number), s.ProgramDateTime));
    }

    [Fact]
    public void LivePlaylist_SegmentUrisResolveRelativeToEachPlaylistToTheSameResource()
    {
        var (g, _) = Create(FakeSamples(2, 2, 2), TimeSpan.FromSeconds(30)); // rendition 1 = "lo" (highest bandwidth first)
        var root = new Uri("http://o/");
        var atRoot = Parse(g.LivePlaylist(1, nested: false)).Segments.Select(s => new Uri(new Uri(root, "live.m3u8"), s.Uri));
        var nested = Parse(g.LivePlaylist(1, nested: true)).Segments.Select(s => new Uri(new Uri(root, "live/lo.m3u8"), s.Uri));
        Assert.Equal(atRoot, nested);
        Assert.All(atRoot, u => Assert.StartsWith("http://o/live/lo/seg-", u.AbsoluteUri, StringComparison.Ordinal));

        var vodRoot = Parse(g.VodPlaylist(1, nested: false)).Segments.Select(s => new Uri(new Uri(root, "vod.m3u8"), s.Uri));
        var vodNested = Parse(g.VodPlaylist(1, nested: true)).Segments.Select(s => new Uri(new Uri(root, "vod/lo.m3u8"), s.Uri));
        Assert.Equal(vodRoot, vodNested);
        Assert.Equal(["http://o/vod/lo/seg-0.ts", "http://o/vod/lo/seg-1.ts", "http://o/vod/lo/seg-2.ts"], vodRoot.Select(u => u.AbsoluteUri));
    }

    [Theory]
    // window first..last (6 segments of a 6-segment loop): tags before multiples of 6 (> 0)
    [InlineData(9, 4, 0, new long[] { 6 })]
    [InlineData(11, 6, 0, new long[] { 6 })]   // the wrap's tag is on the first segment: not yet counted
    [InlineData(12, 7, 1, new long[] { 12 })]  // it slid out: the sequence counts it
    [InlineData(17, 12, 1, new long[] { 12 })]
    [InlineData(18, 13, 2, new long[] { 18 })]
    [InlineData(5, 0, 0, new long[0])]         // segment 0 starts the channel: no discontinuity
    public void LivePlaylist_MarksEveryLoopWrapWithADiscontinuity(long edge, long first, long discontinuitySequence, long[] taggedSegments)
    {
        var (g, _) = Create(FakeSamples(2, 2, 2, 2, 2, 2), TimeSpan.FromSeconds((2 * edge) + 2.5));
        var p = Parse(g.LivePlaylist(0, nested: false));
        Assert.Equal(first, p.MediaSequence);
        Assert.Equal(edge, p.Segments[^1].Number);
        Assert.Equal(discontinuitySequence, long.Parse(p.Tag("#EXT-X-DISCONTINUITY-SEQUENCE")!, CultureInfo.InvariantCulture));
        Assert.Equal(taggedSegments, p.Segments.Where(s => s.Discontinuity).Select(s => s.Number));
    }

    [Fact]
    public void LivePlaylist_DiscontinuityNumbersStayStableWhileTheWindowSlides()
    {
        // A player numbers segments as DISCONTINUITY-SEQUENCE + tags seen so far (hls.js 'cc');
        // the same segment must get the same number in every playlist it appears in.
        var (g, clock) = Create(FakeSamples(2, 2, 2, 2, 2, 2), TimeSpan.FromSeconds(0.5));
        var seen = new Dictionary<long, long>();
        for (var step = 0; step < 60; step++)
        {
            clock.Advance(TimeSpan.FromSeconds(2));
            var p = Parse(g.LivePlaylist(0, nested: true));
            var cc = long.Parse(p.Tag("#EXT-X-DISCONTINUITY-SEQUENCE")!, CultureInfo.InvariantCulture);
            foreach (var s in p.Segments)
            {
                if (s.Discontinuity)
                {
                    cc++;
                }
                if (seen.TryGetValue(s.Number, out var before))
                {
                    Assert.Equal(before, cc);
                }
                seen[s.Number] = cc;
                Assert.Equal(s.Number / 6, cc); // one discontinuity per loop
            }
        }
        Assert.True(seen.Count > 50);
    }

    [Fact]
    public void LivePlaylist_IsRebuiltOnlyWhenTheLiveEdgeMoves()
    {
        var (g, clock) = Create(FakeSamples(2, 2, 2), TimeSpan.FromSeconds(20.1));
        var a = g.LivePlaylist(0, nested: false);
        clock.Advance(TimeSpan.FromSeconds(1.8));
        Assert.Same(a, g.LivePlaylist(0, nested: false));
        clock.Advance(TimeSpan.FromSeconds(0.2));
        var b = g.LivePlaylist(0, nested: false);
        Assert.NotSame(a, b);
        Assert.Equal(Parse(a).MediaSequence + 1, Parse(b).MediaSequence);
        Assert.NotSame(b, g.LivePlaylist(0, nested: true));
    }

    [Fact]
    public void UnevenDurations_DriveTargetDurationExtinfAndTimeline()
    {
        // loop = 6 s: [0, 2) [2, 3.5) [3.5, 6)
        var (g, _) = Create(FakeSamples(2, 1.5, 2.5), TimeSpan.Zero);
        Assert.Equal(3, g.TargetDurationSeconds);
        Assert.Equal(0, g.LiveEdge(Epoch + TimeSpan.FromSeconds(3.4)));
        Assert.Equal(1, g.LiveEdge(Epoch + TimeSpan.FromSeconds(3.5)));
        Assert.Equal(1, g.LiveEdge(Epoch + TimeSpan.FromSeconds(5.9)));
        Assert.Equal(2, g.LiveEdge(Epoch + TimeSpan.FromSeconds(6)));
        Assert.Equal(3, g.LiveEdge(Epoch + TimeSpan.FromSeconds(8)));
        Assert.Equal(Epoch + TimeSpan.FromSeconds(6 + 3.5), g.SegmentStart(5));

        var vod = Parse(g.VodPlaylist(0, nested: false));
        Assert.Equal(["2.000", "1.500", "2.500"], vod.Segments.Select(s => s.Duration));
        Assert.Equal("3", vod.Tag("#EXT-X-TARGETDURATION"));
        Assert.Equal("VOD", vod.Tag("#EXT-X-PLAYLIST-TYPE"));
        Assert.Equal("#EXT-X-ENDLIST", vod.Lines[^1]);
    }

    [Fact]
    public void LiveSegments_AreAvailableFromCompletionUntilTwoWindowsOld()
    {
        var (g, _) = Create(FakeSamples(2, 2, 2, 2, 2, 2), TimeSpan.Zero);
        var now = Epoch + TimeSpan.FromSeconds(61); // edge 29
        Assert.Equal(29, g.LiveEdge(now));
        Assert.True(g.IsLiveSegmentAvailable(29, now));
        Assert.False(g.IsLiveSegmentAvailable(30, now)); // still being "made"
        Assert.True(g.IsLiveSegmentAvailable(29 - 12, now));
        Assert.False(g.IsLiveSegmentAvailable(29 - 13, now));
        Assert.False(g.IsLiveSegmentAvailable(-1, now));
    }

    [Fact]
    public void DefaultEpoch_FillsTheWindowAtStartUp()
    {
        var samples = FakeSamples(2, 2, 2, 2, 2, 2);
        var start = new DateTimeOffset(2030, 5, 6, 7, 8, 9, 123, TimeSpan.Zero);
        var clock = new FakeTimeProvider(start);
        var g = new DemoPlaylistGenerator(samples, clock, DemoPlaylistGenerator.DefaultEpoch(samples, start));
        var p = Parse(g.LivePlaylist(0, nested: false));
        Assert.Equal(DemoPlaylistGenerator.WindowSize, p.Segments.Count);
        Assert.Equal(0, p.MediaSequence);
        Assert.Equal(0, g.Epoch.Millisecond);
        Assert.True(g.Epoch + TimeSpan.FromSeconds(12) <= start);
    }

    [Fact]
    public void MasterPlaylist_ListsRenditionsHighestFirstWithAttributes()
    {
        var (g, _) = Create(FakeSamples(2, 2), TimeSpan.FromSeconds(10));
        var text = Encoding.UTF8.GetString(g.MasterPlaylist(vod: false));
        Assert.Equal(
            "#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-INDEPENDENT-SEGMENTS\n" +
            "#EXT-X-STREAM-INF:BANDWIDTH=600000,AVERAGE-BANDWIDTH=550000,RESOLUTION=640x360,CODECS=\"avc1.4d401e,mp4a.40.2\",FRAME-RATE=30.000\nlive/hi.m3u8\n" +
            "#EXT-X-STREAM-INF:BANDWIDTH=200000,AVERAGE-BANDWIDTH=180000,RESOLUTION=320x180,CODECS=\"avc1.4d401e,mp4a.40.2\",FRAME-RATE=30.000\nlive/lo.m3u8\n",
            text);
        Assert.EndsWith("\nhi.m3u8\n#EXT-X-STREAM-INF:BANDWIDTH=200000,AVERAGE-BANDWIDTH=180000,RESOLUTION=320x180,CODECS=\"avc1.4d401e,mp4a.40.2\",FRAME-RATE=30.000\nlo.m3u8\n",
            Encoding.UTF8.GetString(g.MasterPlaylist(vod: true)), StringComparison.Ordinal);
    }

    internal static MediaPlaylist Parse(byte[] body) => MediaPlaylist.Parse(Encoding.UTF8.GetString(body));
}
