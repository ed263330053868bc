using System.Text;

namespace HlsGateway.Hls.Tests;

public sealed class PlaylistInspectorTests
{
    private static PlaylistInfo Inspect(string text) => PlaylistInspector.Inspect(Encoding.UTF8.GetBytes(text));

    [Fact]
    public void Rfc_media_examples_are_media_with_their_numbers()
    {
        var vod = Inspect(RfcExamples.SimpleMedia);
        Assert.Equal(PlaylistKind.Media, vod.Kind);
        Assert.True(vod.IsEndList);
        Assert.False(vod.IsLive);
        Assert.Equal(10, vod.TargetDurationSeconds);
        Assert.Equal(3, vod.SegmentCount);

        var live = Inspect(RfcExamples.LiveMedia);
        Assert.True(live.IsLive);
        Assert.Equal(2680, live.MediaSequence);
        Assert.Equal(8, live.TargetDurationSeconds);

        Assert.Equal(7794, Inspect(RfcExamples.Encrypted).MediaSequence);
    }

    [Theory]
    [InlineData(RfcExamples.Master)]
    [InlineData(RfcExamples.IFrames)]
    [InlineData(RfcExamples.AudioAlternatives)]
    [InlineData(RfcExamples.SessionDataAndSteering)]
    public void Rfc_multivariant_examples_are_masters(string text)
    {
        var info = Inspect(text);
        Assert.True(info.IsMaster);
        Assert.False(info.IsLive);
        Assert.False(info.IsEndList);
    }

    [Fact]
    public void A_master_with_only_session_data_is_still_a_master()
    {
        Assert.True(Inspect("#EXTM3U\n#EXT-X-SESSION-DATA:DATA-ID=\"a\",VALUE=\"b\"\n").IsMaster);
    }

    [Fact]
    public void Low_latency_playlist_reports_its_part_target_and_is_live()
    {
        var info = Inspect(RfcExamples.LowLatency);
        Assert.Equal(PlaylistKind.Media, info.Kind);
        Assert.True(info.IsLowLatency);
        Assert.Equal(0.33334, info.PartTargetSeconds, 5);
        Assert.Equal(266, info.MediaSequence);
        Assert.True(info.IsLive);
        Assert.Equal(2, info.SegmentCount); // parts are not segments
    }

    [Theory]
    [InlineData("#EXT-X-PLAYLIST-TYPE:VOD", PlaylistType.Vod, true)]
    [InlineData("#EXT-X-PLAYLIST-TYPE:EVENT", PlaylistType.Event, false)]
    [InlineData("#EXT-X-PLAYLIST-TYPE:SOMETHING", PlaylistType.None, false)]
    public void Playlist_type_is_read_and_vod_never_changes(string tag, PlaylistType type, bool ended)
    {
        var info = Inspect($"#EXTM3U\n#EXT-X-TARGETDURATION:4\n{tag}\n#EXTINF:4,\na.ts\n");
        Assert.Equal(type, info.Type);
        Assert.Equal(ended, info.IsEndList);
    }

    [Theory]
    [InlineData("")]
    [InlineData("garbage\n#EXTM3U\n")]
    [InlineData(" #EXTM3U\n")]
    [InlineData("<html>")]
    public void Not_a_playlist_is_invalid(string text) => Assert.False(Inspect(text).IsValid);

    [Fact]
    public void Bom_crlf_and_lone_cr_are_line_breaks()
    {
        var info = Inspect("\uFEFF#EXTM3U\r\n#EXT-X-TARGETDURATION:6\r#EXT-X-MEDIA-SEQUENCE:9\u2028#EXT-X-ENDLIST");
        Assert.True(info.IsValid);
        Assert.Equal(6, info.TargetDurationSeconds);
        Assert.Equal(9, info.MediaSequence);
        Assert.True(info.IsEndList);
    }

    [Theory]
    [InlineData("#EXT-X-TARGETDURATION:abc", 0)]
    [InlineData("#EXT-X-TARGETDURATION: 6 ", 6)]
    [InlineData("#EXT-X-TARGETDURATION:NaN", 0)]
    [InlineData("#EXT-X-TARGETDURATION:1e400", 0)]
    public void Bad_numbers_read_as_zero(string tag, double expected) =>
        Assert.Equal(expected, Inspect($"#EXTM3U\n{tag}\n").TargetDurationSeconds);

    [Fact]
    public void Media_sequence_is_not_mistaken_for_media()
    {
        Assert.False(Inspect("#EXTM3U\n#EXT-X-MEDIA-SEQUENCE:3\n#EXTINF:2,\na.ts\n").IsMaster);
    }
}
