using HlsGateway.Recorder.Remux;

namespace HlsGateway.Tests.Remux;

/// <summary>Concatenated WebVTT segments → one sidecar timed to the part's MP4 (zero = the raw video's first PTS).</summary>
public sealed class WebVttSidecarTests
{
    [Fact]
    public void Cues_are_mapped_through_X_TIMESTAMP_MAP_and_rebased_on_the_video_start()
    {
        // segment 1: LOCAL 0 = 10 s on the media clock; segment 2: LOCAL 00:00:05 = 16 s (the cue at 6 s local = 17 s)
        var raw = "WEBVTT\nX-TIMESTAMP-MAP=MPEGTS:900000,LOCAL:00:00:00.000\n\n1\n00:00:00.500 --> 00:00:01.500 align:start\nHello\nworld\n\n"
            + "WEBVTT\nX-TIMESTAMP-MAP=LOCAL:00:00:05.000,MPEGTS:1440000\n\n00:06.000 --> 00:07.250\nSecond\n";
        var cues = WebVttSidecar.Convert(raw, videoStartSeconds: 10, partSeconds: 20);
        Assert.Equal(2, cues.Count);
        Assert.Equal((0.5, 1.5, "align:start", "Hello\nworld"), (cues[0].Start, cues[0].End, cues[0].Settings, cues[0].Text), new Close());
        Assert.Equal((7.0, 8.25, "", "Second"), (cues[1].Start, cues[1].End, cues[1].Settings, cues[1].Text), new Close());
    }

    [Fact]
    public void A_cue_repeated_across_segments_is_kept_once_and_cues_outside_the_part_are_dropped()
    {
        var header = "WEBVTT\nX-TIMESTAMP-MAP=MPEGTS:0,LOCAL:00:00:00.000\n\n";
        var raw = header + "00:00:01.000 --> 00:00:02.500\nSpans\n\nNOTE a comment\n\n00:00:00.000 --> 00:00:00.900\nBefore\n\n"
            + header + "00:00:01.000 --> 00:00:02.500\nSpans\n\n00:00:30.000 --> 00:00:31.000\nAfter\n";
        var cues = WebVttSidecar.Convert(raw, videoStartSeconds: 1.0, partSeconds: 10);
        var cue = Assert.Single(cues);
        Assert.Equal("Spans", cue.Text);
        Assert.Equal(0, cue.Start, 3);
        Assert.Equal(1.5, cue.End, 3);
    }

    [Fact]
    public void The_33_bit_MPEG_TS_wrap_is_undone()
    {
        // the video started just before the wrap (95443 s); the cue is 2 s after it, on the wrapped clock
        var raw = "WEBVTT\nX-TIMESTAMP-MAP=MPEGTS:90000,LOCAL:00:00:00.000\n\n00:00:00.000 --> 00:00:01.000\nWrapped\n";
        var cues = WebVttSidecar.Convert(raw, videoStartSeconds: (8589934592d / 90000d) - 1, partSeconds: 10);
        Assert.Equal(2, Assert.Single(cues).Start, 3);
    }

    [Fact]
    public async Task The_sidecar_file_is_valid_WebVTT()
    {
        var dir = Directory.CreateTempSubdirectory("vtt-").FullName;
        try
        {
            var raw = Path.Combine(dir, "p.eng.segments.vtt");
            await File.WriteAllTextAsync(raw, "\uFEFFWEBVTT\r\n\r\n00:00:03.000 --> 00:00:04.000\r\nThree\r\n");
            var count = await WebVttSidecar.WriteAsync(raw, Path.Combine(dir, "p.eng.vtt"), videoStartSeconds: 0, partSeconds: 10, CancellationToken.None);
            Assert.Equal(1, count);
            Assert.Equal("WEBVTT\n\n00:00:03.000 --> 00:00:04.000\nThree\n\n", await File.ReadAllTextAsync(Path.Combine(dir, "p.eng.vtt")));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    private sealed class Close : IEqualityComparer<(double, double, string, string)>
    {
        public bool Equals((double, double, string, string) x, (double, double, string, string) y) =>
            Math.Abs(x.Item1 - y.Item1) < 0.001 && Math.Abs(x.Item2 - y.Item2) < 0.001 && x.Item3 == y.Item3 && x.Item4 == y.Item4;

        public int GetHashCode((double, double, string, string) obj) => 0;
    }
}
