using System.Globalization;
using System.Text.RegularExpressions;
using HlsGateway.Recorder.Dvr;
using HlsGateway.Recorder.Pipeline;

namespace HlsGateway.Tests.Dvr;

/// <summary>
/// <see cref="DvrPlaylist"/> over a hand-made index of two parts with two audio tracks and a subtitle track (files on
/// disk, the bytes do not matter): the master lists every track and the video with the query, the track playlists
/// keep the video's discontinuity numbers part by part, the crash rule drops track entries past the track's
/// acknowledged bytes, a deleted track file leaves the playlist, and the index round-trips old 6-field lines as video.
/// </summary>
public sealed class DvrPlaylistTests : IDisposable
{
    private static readonly DateTimeOffset T0 = new(2026, 12, 7, 1, 0, 0, TimeSpan.Zero);
    private readonly string _root = Directory.CreateTempSubdirectory("dvr-pl-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    /// <summary>Part 1: video seconds 0-2, part 2: seconds 3-5; eng in both, spa only in part 2, subtitles in part 1.</summary>
    private (List<PartInfo> Parts, List<DvrSegment> Index) Recording()
    {
        Directory.CreateDirectory(Path.Combine(_root, "news"));
        var parts = new List<PartInfo>();
        var index = new List<DvrSegment>();
        for (var p = 1; p <= 2; p++)
        {
            var stem = $"news/20261207-010000-part00{p}";
            var part = new PartInfo { Number = p, RawPath = stem + ".ts", Bytes = 3 * 1000, StartUtc = T0.AddSeconds(3 * (p - 1)) };
            var ids = p == 1 ? new[] { "audio-eng", "eng" } : ["audio-eng", "audio-spa"];
            foreach (var id in ids)
            {
                var subtitles = id == "eng";
                part.Tracks.Add(new TrackInfo
                {
                    Id = id,
                    Type = subtitles ? "SUBTITLES" : "AUDIO",
                    Name = id switch { "audio-eng" => "English", "audio-spa" => "Spanish", _ => "English CC" },
                    Language = id.EndsWith("spa", StringComparison.Ordinal) ? "spa" : "eng",
                    IsDefault = id == "audio-eng",
                    RawPath = stem + "." + id + (subtitles ? ".segments.vtt" : ".ts"),
                    Bytes = 3 * 100,
                });
            }
            parts.Add(part);
            foreach (var f in new[] { part.RawPath }.Concat(part.Tracks.Select(t => t.RawPath)))
            {
                File.WriteAllBytes(Path.Combine(_root, f), new byte[10]);
            }
            for (var i = 0; i < 3; i++)
            {
                var wall = T0.AddSeconds(3 * (p - 1) + i);
                index.Add(new DvrSegment(p, i * 1000, 1000, 1.0, wall, 0));
                foreach (var id in ids)
                {
                    index.Add(new DvrSegment(p, i * 100, 100, 1.0, wall.AddMilliseconds(-3), 0, id)); // a packager's audio clock runs a few ms off the video's
                }
            }
        }
        return (parts, index);
    }

    [Fact]
    public void Master_lists_audio_and_subtitle_tracks_once_with_the_video_and_the_query_on_every_child()
    {
        var (parts, index) = Recording();
        Assert.True(DvrPlaylist.HasTracks(parts));
        var master = DvrPlaylist.BuildMaster(parts, index, "start=x&sig=y");
        Assert.Contains("#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID=\"audio\",NAME=\"English\",LANGUAGE=\"eng\",DEFAULT=YES,AUTOSELECT=YES,URI=\"audio-eng.m3u8?start=x&sig=y\"\n", master, StringComparison.Ordinal);
        Assert.Contains("#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID=\"audio\",NAME=\"Spanish\",LANGUAGE=\"spa\",DEFAULT=NO,AUTOSELECT=YES,URI=\"audio-spa.m3u8?start=x&sig=y\"\n", master, StringComparison.Ordinal);
        Assert.Contains("#EXT-X-MEDIA:TYPE=SUBTITLES,GROUP-ID=\"subs\",NAME=\"English CC\",LANGUAGE=\"eng\",DEFAULT=NO,AUTOSELECT=YES,URI=\"subtitles-eng.m3u8?start=x&sig=y\"\n", master, StringComparison.Ordinal);
        Assert.Equal(3, Count(master, "#EXT-X-MEDIA:"));
        // peak video 8000 b/s + peak audio 800 b/s
        Assert.EndsWith("#EXT-X-STREAM-INF:BANDWIDTH=8800,AUDIO=\"audio\",SUBTITLES=\"subs\"\nvideo.m3u8?start=x&sig=y\n", master, StringComparison.Ordinal);
        Assert.Equal("audio-spa", DvrPlaylist.TrackOf(parts, "audio-spa"));
        Assert.Equal("eng", DvrPlaylist.TrackOf(parts, "subtitles-eng"));
        Assert.Null(DvrPlaylist.TrackOf(parts, "eng"));
        Assert.Null(DvrPlaylist.TrackOf(parts, "video"));
        Assert.False(DvrPlaylist.HasTracks([new PartInfo { Number = 1 }]));
    }

    [Fact]
    public void Track_playlists_keep_the_videos_discontinuity_numbers_part_by_part()
    {
        var (parts, index) = Recording();
        var video = DvrPlaylist.Build(_root, parts, index, live: false, null, null, T0, null);
        var eng = DvrPlaylist.Build(_root, parts, index, live: false, null, null, T0, null, "audio-eng");
        var spa = DvrPlaylist.Build(_root, parts, index, live: false, null, null, T0, null, "audio-spa");
        var subs = DvrPlaylist.Build(_root, parts, index, live: false, null, null, T0, null, "eng");
        Assert.Equal(6, Count(video, "#EXTINF:"));
        Assert.Equal(6, Count(eng, "#EXTINF:"));
        Assert.Equal(1, Count(video, "#EXT-X-DISCONTINUITY\n"));
        Assert.Equal(1, Count(eng, "#EXT-X-DISCONTINUITY\n"));
        Assert.Contains("#EXT-X-DISCONTINUITY-SEQUENCE:0\n", eng, StringComparison.Ordinal);
        Assert.Contains("#EXT-X-BYTERANGE:100@200\n1.audio-eng.ts\n#EXT-X-DISCONTINUITY\n", eng, StringComparison.Ordinal);
        Assert.Contains("#EXT-X-BYTERANGE:100@0\n2.audio-eng.ts\n", eng, StringComparison.Ordinal);
        // Spanish starts in part 2: the video's discontinuity 1 there, not 0
        Assert.Equal(3, Count(spa, "#EXTINF:"));
        Assert.Contains("#EXT-X-DISCONTINUITY-SEQUENCE:1\n", spa, StringComparison.Ordinal);
        Assert.DoesNotContain("#EXT-X-DISCONTINUITY\n", spa, StringComparison.Ordinal);
        Assert.Contains("2.audio-spa.ts\n", spa, StringComparison.Ordinal);
        Assert.Contains("1.eng.segments.vtt\n", subs, StringComparison.Ordinal);
        Assert.EndsWith("#EXT-X-ENDLIST\n", eng, StringComparison.Ordinal);

        // a window from second 4: both start in part 2, at discontinuity 1
        var from = T0.AddSeconds(4);
        var v = DvrPlaylist.Build(_root, parts, index, live: false, from, null, T0, null);
        var a = DvrPlaylist.Build(_root, parts, index, live: false, from, null, T0, null, "audio-eng");
        foreach (var p in new[] { v, a })
        {
            Assert.Equal(2, Count(p, "#EXTINF:"));
            Assert.Contains("#EXT-X-DISCONTINUITY-SEQUENCE:1\n", p, StringComparison.Ordinal);
            Assert.Contains("#EXT-X-MEDIA-SEQUENCE:4\n", p, StringComparison.Ordinal);
        }
        // the same seconds on air
        Assert.All(Times(v).Zip(Times(a)), t => Assert.InRange((DateTimeOffset.Parse(t.First, CultureInfo.InvariantCulture) - DateTimeOffset.Parse(t.Second, CultureInfo.InvariantCulture)).TotalMilliseconds, 0, 10));
    }

    [Fact]
    public void Track_entries_past_the_tracks_acknowledged_bytes_and_deleted_track_files_are_left_out()
    {
        var (parts, index) = Recording();
        parts[1].Tracks.Single(t => t.Id == "audio-eng").Bytes = 150; // a crash after the first segment of part 2's eng track
        var eng = DvrPlaylist.Build(_root, parts, index, live: true, null, null, T0, null, "audio-eng");
        Assert.Equal(4, Count(eng, "#EXTINF:"));
        Assert.Contains("#EXT-X-PLAYLIST-TYPE:EVENT\n", eng, StringComparison.Ordinal);
        Assert.DoesNotContain("#EXT-X-ENDLIST", eng, StringComparison.Ordinal);

        // retention deleted part 1 and its track files: the track playlist starts in part 2, numbered as before
        File.Delete(Path.Combine(_root, parts[0].RawPath));
        File.Delete(Path.Combine(_root, parts[0].Tracks[0].RawPath));
        var later = DvrPlaylist.Build(_root, parts, index, live: true, null, null, T0, null, "audio-eng");
        Assert.Equal(1, Count(later, "#EXTINF:"));
        Assert.DoesNotContain("1.audio-eng.ts", later, StringComparison.Ordinal);
        Assert.Contains("#EXT-X-MEDIA-SEQUENCE:3\n", later, StringComparison.Ordinal);
        Assert.Contains("#EXT-X-DISCONTINUITY-SEQUENCE:1\n", later, StringComparison.Ordinal);
        Assert.DoesNotContain("#EXT-X-PLAYLIST-TYPE:EVENT", later, StringComparison.Ordinal);

        // a track of a part whose video entries are all past its acknowledged bytes has no discontinuity number: left out
        parts[1].Bytes = 0;
        Assert.Equal(0, Count(DvrPlaylist.Build(_root, parts, index, live: true, null, null, T0, null, "audio-spa"), "#EXTINF:"));
    }

    [Fact]
    public async Task Index_keeps_six_field_lines_as_video_and_round_trips_track_ids()
    {
        var path = Path.Combine(_root, "news.segments");
        File.WriteAllText(path, "1 0 100 1 1796605200000 0\n1 x 100 1 0 0\n1 0 10 1 0 0 Bad/Id\n");
        DvrSegmentIndex.Append(path, new DvrSegment(1, 100, 50, 1.5, T0, 7, "audio-eng"));
        DvrSegmentIndex.Append(path, new DvrSegment(1, 100, 200, 1, T0, 0));
        var read = await DvrSegmentIndex.ReadAsync(path, CancellationToken.None);
        Assert.Equal(3, read.Count);
        Assert.Null(read[0].Track);
        Assert.Equal(new DvrSegment(1, 100, 50, 1.5, T0, 7, "audio-eng"), read[1]);
        Assert.Null(read[2].Track);
    }

    private static List<string> Times(string playlist) =>
        Regex.Matches(playlist, "#EXT-X-PROGRAM-DATE-TIME:(.+)\n").Select(m => m.Groups[1].Value).ToList();

    private static int Count(string text, string what) => Regex.Matches(text, Regex.Escape(what)).Count;
}
