using HlsGateway.Recorder.Pipeline;
using HlsGateway.Tests.Support;

namespace HlsGateway.Tests.Lifecycle;

/// <summary>
/// Every test of <see cref="SyntheticStreamRecordingTests"/> again over fMP4/CMAF segments (EXT-X-MAP, ffmpeg
/// <c>-hls_segment_type fmp4</c>), plus what only fMP4 has: the init section, fetched once per change, opening
/// every part so each raw part plays on its own, and a new EXT-X-MAP starting a new part.
/// </summary>
public sealed class SyntheticFmp4StreamRecordingTests() : SyntheticStreamRecordingTests(fmp4: true)
{
    [Fact]
    public async Task Init_section_is_fetched_once_per_change_and_every_raw_part_starts_with_it_and_plays_alone()
    {
        var (_, init, _) = await TestMedia.GetAsync();
        var (altInit, altMedia) = await TestMedia.GetAltFmp4Async();
        Window(0, 3);
        await using var host = await StartHostAsync(new() { ["Recorder:SplitSeconds"] = "3", ["Recorder:Remux"] = "none" });
        await StartRecordingAsync(host);
        await RecordedAsync(host, 3);
        for (var s = 4; s <= 8; s++)
        {
            await AppendAsync(host, s);
        }
        _origin.SwitchInit("init-b.mp4", altInit, altMedia); // the packager switches to another init section (EXT-X-MAP)
        for (var s = 9; s <= 12; s++)
        {
            await AppendAsync(host, s, media: (int)(s - 9));
        }
        var status = await StopAndFinishAsync(host);

        Assert.Equal([(3L, 5L, "init.mp4"), (6L, 8L, "init.mp4"), (9L, 11L, "init-b.mp4"), (12L, 12L, "init-b.mp4")],
            status.Parts.Select(p => (p.FirstSequence, p.LastSequence, p.InitUri)));
        Assert.Equal(["split-time", "init-changed", "split-time", "stopped"], status.Parts.Select(p => p.CloseReason));
        Assert.Equal(1, _origin.Origin.Hits("/live/init.mp4"));
        Assert.Equal(1, _origin.Origin.Hits("/live/init-b.mp4"));
        AssertNoDuplicates(status);
        foreach (var part in status.Parts)
        {
            Assert.Equal(PartState.Kept, part.State);
            var raw = Path.Combine(_out, part.RawPath);
            var bytes = await File.ReadAllBytesAsync(raw);
            var expectedInit = part.InitUri == "init.mp4" ? init : altInit;
            Assert.True(bytes.AsSpan().StartsWith(expectedInit), $"part {part.Number} does not start with its init section");
            Assert.Equal(1, Occurrences(bytes, expectedInit.AsSpan(0, 64))); // once per part, not per segment
            var (start, end) = await TestMedia.ProbeSpanAsync(raw);
            Assert.InRange(end - start, part.Segments - 0.5, part.Segments + 0.5);
            await TestMedia.AssertDecodesAsync(raw);
        }
    }

    private static int Occurrences(ReadOnlySpan<byte> haystack, ReadOnlySpan<byte> needle)
    {
        var count = 0;
        for (var i = haystack.IndexOf(needle); i >= 0; i = haystack[(i + 1)..].IndexOf(needle) is var n && n >= 0 ? i + 1 + n : -1)
        {
            count++;
        }
        return count;
    }
}
