using HlsGateway.Recorder.Playlists;

namespace HlsGateway.Tests.Playlists;

public class PlaylistParserTests
{
    [Fact]
    public void Media_playlist_resolves_sequences_discontinuities_ranges_map_key_and_dates()
    {
        const string text = """
            #EXTM3U
            #EXT-X-VERSION:7
            #EXT-X-TARGETDURATION:2
            #EXT-X-MEDIA-SEQUENCE:100
            #EXT-X-DISCONTINUITY-SEQUENCE:5
            #EXT-X-MAP:URI="init.mp4",BYTERANGE="720@0"
            #EXT-X-KEY:METHOD=AES-128,URI="https://keys.example/k1",IV=0x01
            #EXT-X-PROGRAM-DATE-TIME:2026-01-02T03:04:05.000Z
            #EXTINF:2.000,title, with comma
            #EXT-X-BYTERANGE:1000@720
            media.mp4
            this is garbage
            #EXT-UNKNOWN-TAG:whatever
            #EXTINF:2.5,
            #EXT-X-BYTERANGE:500
            media.mp4
            #EXT-X-DISCONTINUITY
            #EXT-X-KEY:METHOD=NONE
            #EXTINF:1.5,
            other.ts
            #EXTINF:not-a-number,
            skipped.ts
            #EXT-X-ENDLIST
            """;
        Assert.Equal(PlaylistKind.Media, PlaylistParser.Detect(text));
        Assert.True(PlaylistParser.TryParseMedia(text, out var p));
        Assert.Equal(2, p.TargetDuration);
        Assert.Equal(100, p.MediaSequence);
        Assert.Equal(5, p.DiscontinuitySequence);
        Assert.True(p.EndList);
        Assert.Equal(7, p.Version);
        Assert.Equal(3, p.Segments.Count);

        var s0 = p.Segments[0];
        Assert.Equal((100L, 5L, 2.0), (s0.MediaSequence, s0.DiscontinuitySequence, s0.Duration));
        Assert.Equal(new ByteRangeSpec(720, 1000), s0.ByteRange);
        Assert.Equal(new InitSection("init.mp4", new ByteRangeSpec(0, 720)), s0.Map);
        Assert.Equal("AES-128", s0.Key!.Method);
        Assert.Equal("https://keys.example/k1", s0.Key.Uri);
        Assert.Equal(new DateTimeOffset(2026, 1, 2, 3, 4, 5, TimeSpan.Zero), s0.ProgramDateTime);

        var s1 = p.Segments[1];
        Assert.Equal(101, s1.MediaSequence);
        Assert.Equal(new ByteRangeSpec(1720, 500), s1.ByteRange); // offset continues from the previous range of the same URI
        Assert.Null(s1.ProgramDateTime);

        var s2 = p.Segments[2];
        Assert.Equal((102L, 6L, true), (s2.MediaSequence, s2.DiscontinuitySequence, s2.Discontinuity));
        Assert.Null(s2.Key);
        Assert.Equal(102, p.LastMediaSequence);
    }

    [Theory]
    [InlineData("")]
    [InlineData("<html>not a playlist</html>")]
    [InlineData("EXTM3U\n#EXTINF:1,\na.ts")]
    public void Not_a_playlist_is_refused(string text)
    {
        Assert.Equal(PlaylistKind.Invalid, PlaylistParser.Detect(text));
        Assert.False(PlaylistParser.TryParseMedia(text, out _));
        Assert.False(PlaylistParser.TryParseMaster(text, out _));
    }

    [Fact]
    public void Master_playlist_variants_and_selection()
    {
        const string text = """
            #EXTM3U
            #EXT-X-STREAM-INF:BANDWIDTH=800000,RESOLUTION=640x360,CODECS="avc1.4d401e,mp4a.40.2"
            low/index.m3u8
            #EXT-X-STREAM-INF:BANDWIDTH=2500000,AVERAGE-BANDWIDTH=2000000,RESOLUTION=1280x720
            mid/index.m3u8
            #EXT-X-STREAM-INF:RESOLUTION=1920x1080
            no-bandwidth/index.m3u8
            stray.m3u8
            #EXT-X-STREAM-INF:BANDWIDTH=5000000,RESOLUTION=bogus
            high/index.m3u8
            """;
        Assert.Equal(PlaylistKind.Master, PlaylistParser.Detect(text));
        Assert.True(PlaylistParser.TryParseMaster(text, out var m));
        Assert.Equal(["low/index.m3u8", "mid/index.m3u8", "high/index.m3u8"], m.Variants.Select(v => v.Uri));
        Assert.Equal((640, 360), (m.Variants[0].Width, m.Variants[0].Height));
        Assert.Equal("avc1.4d401e,mp4a.40.2", m.Variants[0].Codecs);
        Assert.Equal(2000000, m.Variants[1].AverageBandwidth);
        Assert.Null(m.Variants[2].Width);
        Assert.Equal("high/index.m3u8", m.Select(null)!.Uri);
        Assert.Equal("high/index.m3u8", m.Select("best")!.Uri);
        Assert.Equal("low/index.m3u8", m.Select("lowest")!.Uri);
        Assert.Equal("mid/index.m3u8", m.Select("2000000")!.Uri);
    }

    [Fact]
    public void Attribute_lists_keep_commas_inside_quotes()
    {
        var a = PlaylistParser.ParseAttributes("METHOD=AES-128,URI=\"k?a=1,b=2\",IV=0x0F");
        Assert.Equal("AES-128", a["METHOD"]);
        Assert.Equal("k?a=1,b=2", a["URI"]);
        Assert.Equal("0x0F", a["IV"]);
    }

    [Fact]
    public void Master_renditions_and_the_groups_variants_name_are_read()
    {
        const string text = """
            #EXTM3U
            #EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID="aac",LANGUAGE="en",NAME="English",DEFAULT=YES,AUTOSELECT=YES,CHANNELS="2",URI="audio/en.m3u8"
            #EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID="aac",LANGUAGE="de",NAME="Deutsch",DEFAULT=NO,URI="audio/de.m3u8"
            #EXT-X-MEDIA:TYPE=SUBTITLES,GROUP-ID="subs",LANGUAGE="en",NAME="English",URI="subs/en.m3u8"
            #EXT-X-MEDIA:TYPE=AUDIO,NAME="no group"
            #EXT-X-STREAM-INF:BANDWIDTH=1280000,AUDIO="aac",SUBTITLES="subs"
            video/low.m3u8

            """;
        Assert.Equal(PlaylistKind.Master, PlaylistParser.Detect(text));
        Assert.True(PlaylistParser.TryParseMaster(text, out var m));
        Assert.Equal(3, m.Renditions.Count); // the one without GROUP-ID is not a rendition
        var variant = Assert.Single(m.Variants);
        Assert.Equal(("aac", "subs"), (variant.AudioGroup, variant.SubtitlesGroup));
        var audio = m.Group("AUDIO", variant.AudioGroup).ToList();
        Assert.Equal(["en", "de"], audio.Select(r => r.Language));
        Assert.True(audio[0].IsDefault && audio[0].AutoSelect);
        Assert.Equal("2", audio[0].Channels);
        Assert.False(audio[1].IsDefault);
        Assert.Equal("subs/en.m3u8", Assert.Single(m.Group("SUBTITLES", variant.SubtitlesGroup)).Uri);
    }
}
