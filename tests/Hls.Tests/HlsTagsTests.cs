using System.Text;

namespace HlsGateway.Hls.Tests;

public sealed class HlsTagsTests
{
    public static TheoryData<string, HlsTag> Known => new()
    {
        { "#EXTM3U", HlsTag.ExtM3u }, { "#EXTINF", HlsTag.ExtInf }, { "#EXT-X-VERSION", HlsTag.Version },
        { "#EXT-X-INDEPENDENT-SEGMENTS", HlsTag.IndependentSegments }, { "#EXT-X-START", HlsTag.Start }, { "#EXT-X-DEFINE", HlsTag.Define },
        { "#EXT-X-TARGETDURATION", HlsTag.TargetDuration }, { "#EXT-X-MEDIA-SEQUENCE", HlsTag.MediaSequence },
        { "#EXT-X-DISCONTINUITY-SEQUENCE", HlsTag.DiscontinuitySequence }, { "#EXT-X-ENDLIST", HlsTag.EndList },
        { "#EXT-X-PLAYLIST-TYPE", HlsTag.PlaylistType }, { "#EXT-X-I-FRAMES-ONLY", HlsTag.IFramesOnly }, { "#EXT-X-PART-INF", HlsTag.PartInf },
        { "#EXT-X-SERVER-CONTROL", HlsTag.ServerControl }, { "#EXT-X-BYTERANGE", HlsTag.ByteRange }, { "#EXT-X-DISCONTINUITY", HlsTag.Discontinuity },
        { "#EXT-X-KEY", HlsTag.Key }, { "#EXT-X-MAP", HlsTag.Map }, { "#EXT-X-PROGRAM-DATE-TIME", HlsTag.ProgramDateTime }, { "#EXT-X-GAP", HlsTag.Gap },
        { "#EXT-X-BITRATE", HlsTag.Bitrate }, { "#EXT-X-PART", HlsTag.Part }, { "#EXT-X-DATERANGE", HlsTag.DateRange }, { "#EXT-X-SKIP", HlsTag.Skip },
        { "#EXT-X-PRELOAD-HINT", HlsTag.PreloadHint }, { "#EXT-X-RENDITION-REPORT", HlsTag.RenditionReport }, { "#EXT-X-MEDIA", HlsTag.Media },
        { "#EXT-X-STREAM-INF", HlsTag.StreamInf }, { "#EXT-X-I-FRAME-STREAM-INF", HlsTag.IFrameStreamInf },
        { "#EXT-X-SESSION-DATA", HlsTag.SessionData }, { "#EXT-X-SESSION-KEY", HlsTag.SessionKey }, { "#EXT-X-CONTENT-STEERING", HlsTag.ContentSteering },
    };

    [Theory]
    [MemberData(nameof(Known))]
    public void Every_known_tag_is_identified(string name, HlsTag tag) => Assert.Equal(tag, HlsTags.Identify(Encoding.ASCII.GetBytes(name)));

    [Fact]
    public void Every_enum_value_has_a_name_in_the_table()
    {
        var covered = Known.Select(row => (HlsTag)row[1]).ToHashSet();
        Assert.Equal(Enum.GetValues<HlsTag>().Where(t => t != HlsTag.Unknown).ToHashSet(), covered);
    }

    [Theory]
    [InlineData("#EXT-X-key")]
    [InlineData("#EXT-X-KEYS")]
    [InlineData("#EXT-X-")]
    [InlineData("#EXTX-KEY")]
    [InlineData("#EXT-X-MEDIA-SEQUENC")]
    [InlineData("EXT-X-KEY")]
    public void Near_misses_are_unknown(string name) => Assert.Equal(HlsTag.Unknown, HlsTags.Identify(Encoding.ASCII.GetBytes(name)));

    [Fact]
    public void Master_and_media_tag_sets_do_not_overlap()
    {
        foreach (var tag in Enum.GetValues<HlsTag>())
        {
            Assert.False(HlsTags.IsMultivariantTag(tag) && HlsTags.IsMediaTag(tag), tag.ToString());
        }
        Assert.True(HlsTags.IsMediaTag(HlsTag.PreloadHint));
        Assert.False(HlsTags.IsMediaTag(HlsTag.Version));
    }
}
