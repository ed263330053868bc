using HlsGateway.Recorder.Configuration;
using HlsGateway.Recorder.Pipeline;
using HlsGateway.Recorder.Playlists;
using HlsGateway.Recorder.Sources;

namespace HlsGateway.Tests.Sources;

/// <summary>Which EXT-X-MEDIA renditions of the chosen variant are followed, and how their segments are placed against the video.</summary>
public sealed class RenditionSelectionTests
{
    private const string Master = """
        #EXTM3U
        #EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID="hi",NAME="English",LANGUAGE="en",URI="a/en.m3u8"
        #EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID="hi",NAME="Deutsch",LANGUAGE="de",DEFAULT=YES,URI="a/de.m3u8"
        #EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID="lo",NAME="Main",DEFAULT=YES
        #EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID="lo",NAME="Commentary",URI="a/c.m3u8"
        #EXT-X-MEDIA:TYPE=SUBTITLES,GROUP-ID="s",NAME="English",LANGUAGE="en",URI="s/en.m3u8"
        #EXT-X-MEDIA:TYPE=SUBTITLES,GROUP-ID="s",NAME="Français",LANGUAGE="fr",URI="s/fr.m3u8"
        #EXT-X-STREAM-INF:BANDWIDTH=2000000,AUDIO="hi",SUBTITLES="s"
        hi.m3u8
        #EXT-X-STREAM-INF:BANDWIDTH=500000,AUDIO="lo"
        lo.m3u8
        """;

    private static IReadOnlyList<Rendition> Select(string variant, AudioRenditions audio, SubtitleRenditions subtitles = SubtitleRenditions.None)
    {
        Assert.True(PlaylistParser.TryParseMaster(Master, out var master));
        return RenditionSelection.Select(master, master.Select(variant)!, new RenditionOptions { Audio = audio, Subtitles = subtitles });
    }

    [Fact]
    public void Default_picks_the_DEFAULT_YES_rendition_All_every_one_with_a_URI()
    {
        Assert.Equal(["Deutsch"], Select("best", AudioRenditions.Default).Select(r => r.Name));
        Assert.Equal(["English", "Deutsch"], Select("best", AudioRenditions.All).Select(r => r.Name));
        Assert.Empty(Select("best", AudioRenditions.None));
        Assert.Equal(["English", "Deutsch", "English", "Français"], Select("best", AudioRenditions.All, SubtitleRenditions.Sidecar).Select(r => r.Name));
    }

    [Fact]
    public void A_default_rendition_carried_in_the_variant_itself_needs_no_follower()
    {
        Assert.Empty(Select("lowest", AudioRenditions.Default)); // "Main" has no URI: its audio is in lo.m3u8's segments
        Assert.Equal(["Commentary"], Select("lowest", AudioRenditions.All).Select(r => r.Name));
    }

    [Fact]
    public void Track_ids_are_file_name_safe()
    {
        Assert.Equal("en-us", RenditionSet.Tag("en-US"));
        Assert.Equal("fran-ais", RenditionSet.Tag("Français"));
        Assert.Equal("und", RenditionSet.Tag("../"));
    }

    [Fact]
    public void Segments_are_placed_by_wall_clock_when_both_sides_have_it_else_by_sequence()
    {
        var t0 = new DateTimeOffset(2026, 12, 7, 0, 0, 0, TimeSpan.Zero);
        var edge = new TimelineMark(11, t0.AddSeconds(10));
        Assert.True(edge.IsAfter(20, t0.AddSeconds(9.4), 1.0));   // middle at 9.9 s: before the edge, whatever its number
        Assert.False(edge.IsAfter(5, t0.AddSeconds(9.6), 1.0));   // middle at 10.1 s
        Assert.True(edge.IsAfter(10, null, 1.0));                 // no wall clock: by sequence
        Assert.False(new TimelineMark(11, null).IsAfter(11, t0, 1.0));
    }
}
