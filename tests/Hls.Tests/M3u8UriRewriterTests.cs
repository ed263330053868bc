using System.Buffers;
using System.Text;

namespace HlsGateway.Hls.Tests;

public sealed class M3u8UriRewriterTests
{
    public static TheoryData<string> Examples => new()
    {
        RfcExamples.SimpleMedia, RfcExamples.LiveMedia, RfcExamples.Encrypted, RfcExamples.Master, RfcExamples.IFrames,
        RfcExamples.AudioAlternatives, RfcExamples.SessionDataAndSteering, RfcExamples.LowLatency,
    };

    [Theory]
    [MemberData(nameof(Examples))]
    public void Verbatim_with_unchanged_uris_is_byte_identical(string playlist)
    {
        var (output, _) = CollectingMapper.Run(playlist);
        Assert.Equal(playlist, output);
    }

    [Fact]
    public void Every_uri_of_the_low_latency_example_is_found_with_its_tag()
    {
        var (_, uris) = CollectingMapper.Run(RfcExamples.LowLatency);
        Assert.Equal(
        [
            (HlsTag.Map, "init.mp4"),
            (HlsTag.Unknown, "fileSequence269.mp4"),
            (HlsTag.Part, "filePart270.0.mp4"),
            (HlsTag.Part, "filePart270.1.mp4"),
            (HlsTag.Unknown, "fileSequence270.mp4"),
            (HlsTag.Part, "filePart271.0.mp4"),
            (HlsTag.PreloadHint, "filePart271.1.mp4"),
            (HlsTag.RenditionReport, "../1M/waitForMSN.php"),
            (HlsTag.DateRange, "ads/ad1.m3u8"),
        ], uris);
    }

    [Fact]
    public void Master_uris_include_media_iframe_session_and_key_attributes()
    {
        var (_, alt) = CollectingMapper.Run(RfcExamples.AudioAlternatives);
        Assert.Equal(3, alt.Count(u => u.Tag == HlsTag.Media));
        Assert.Equal(4, alt.Count(u => u.Tag == HlsTag.Unknown));
        var (_, iframes) = CollectingMapper.Run(RfcExamples.IFrames);
        Assert.Contains((HlsTag.IFrameStreamInf, "mid/iframe.m3u8"), iframes);
        var (_, session) = CollectingMapper.Run(RfcExamples.SessionDataAndSteering);
        Assert.Contains((HlsTag.SessionData, "lyrics.json"), session);
        Assert.Contains((HlsTag.SessionKey, "skd://key-id"), session);
        Assert.DoesNotContain(session, u => u.Uri.Contains("steering", StringComparison.Ordinal)); // SERVER-URI is not a media URI
        var (_, keys) = CollectingMapper.Run(RfcExamples.Encrypted);
        Assert.Equal(2, keys.Count(u => u.Tag == HlsTag.Key));
    }

    [Fact]
    public void Changing_a_uri_keeps_every_other_byte()
    {
        var (output, _) = CollectingMapper.Run(RfcExamples.Encrypted, map: u => "X" + u.Length);
        var expected = RfcExamples.Encrypted
            .Replace("https://priv.example.com/key.php?r=52", "X37").Replace("https://priv.example.com/key.php?r=53", "X37")
            .Replace("http://media.example.com/fileSequence52-A.ts", "X44").Replace("http://media.example.com/fileSequence52-B.ts", "X44")
            .Replace("http://media.example.com/fileSequence52-C.ts", "X44").Replace("http://media.example.com/fileSequence53-A.ts", "X44");
        Assert.Equal(expected, output);
    }

    [Fact]
    public void An_unknown_future_tag_with_a_uri_attribute_is_still_rewritten()
    {
        var (output, uris) = CollectingMapper.Run("#EXTM3U\n#EXT-X-FUTURE-THING:ID=1,URI=\"http://elsewhere/x\"\n", map: _ => "mapped");
        Assert.Equal("#EXTM3U\n#EXT-X-FUTURE-THING:ID=1,URI=\"mapped\"\n", output);
        Assert.Single(uris);
    }

    [Fact]
    public void Unquoted_uri_attributes_and_non_ext_x_tags_are_not_uris()
    {
        var (_, uris) = CollectingMapper.Run("#EXTM3U\n#EXT-X-KEY:METHOD=NONE,URI=plain\n#EXTINF:4,title URI=\"x\"\n#EXTX-NOPE:URI=\"y\"\n");
        Assert.Empty(uris);
    }

    [Fact]
    public void Verbatim_keeps_bom_whitespace_and_each_line_break()
    {
        const string body = "\uFEFF#EXTM3U\r\n  #EXTINF:4,\t\r  a.ts  \r\n\n#EXT-X-MAP:URI=\"i.mp4\"\u2029b.ts";
        var (output, uris) = CollectingMapper.Run(body, map: u => u.ToUpperInvariant());
        Assert.Equal("\uFEFF#EXTM3U\r\n  #EXTINF:4,\t\r  A.TS  \r\n\n#EXT-X-MAP:URI=\"I.MP4\"\u2029B.TS", output);
        Assert.Equal(["a.ts", "i.mp4", "b.ts"], uris.Select(u => u.Uri));
    }

    [Fact]
    public void Normalized_drops_bom_trims_and_writes_lf()
    {
        const string body = "\uFEFF#EXTM3U\r\n  #EXTINF:4,\t\r  a.ts  \r\n# a comment \u2028b.ts\n \t\n #EXT-X-MAP:URI=\"i.mp4\" ";
        var (output, _) = CollectingMapper.Run(body, M3u8WriteMode.Normalized);
        Assert.Equal("#EXTM3U\n  #EXTINF:4,\t\na.ts\n# a comment \nb.ts\n\n#EXT-X-MAP:URI=\"i.mp4\"\n", output);
    }

    [Fact]
    public void A_dropped_tag_leaves_no_line()
    {
        var (output, _) = CollectingMapper.Run(RfcExamples.SessionDataAndSteering, drop: HlsTag.ContentSteering);
        Assert.DoesNotContain("CONTENT-STEERING", output, StringComparison.Ordinal);
        Assert.Equal(RfcExamples.SessionDataAndSteering.Split('\n').Length - 1, output.Split('\n').Length);
    }

    [Fact]
    public void Slices_written_with_a_budget_join_to_the_whole()
    {
        var body = Encoding.UTF8.GetBytes(RfcExamples.LowLatency);
        var whole = CollectingMapper.Run(RfcExamples.LowLatency, map: u => "/gw/" + u).Output;
        foreach (var budget in new[] { 1, 7, 64, 100_000 })
        {
            var output = new ArrayBufferWriter<byte>();
            var mapper = new CollectingMapper { Map = u => "/gw/" + u };
            var offset = 0;
            var calls = 0;
            while (offset < body.Length)
            {
                offset = M3u8UriRewriter.Rewrite(body, offset, output, ref mapper, budget, M3u8WriteMode.Verbatim);
                Assert.True(++calls <= body.Length, "no progress");
            }
            Assert.Equal(whole, Encoding.UTF8.GetString(output.WrittenSpan));
        }
    }
}
