using System.Globalization;
using System.Text;
using HlsGateway.Tests.Common;

namespace HlsGateway.Tests.Support;

/// <summary>
/// A live master playlist with demuxed renditions, driven step by step like <see cref="SyntheticLiveOrigin"/>: a
/// video-only variant plus two audio renditions (English DEFAULT=YES, Spanish) and a WebVTT subtitle rendition, all
/// real ffmpeg-made MPEG-TS (one ffmpeg run, <c>-var_stream_map "v:0 a:0 a:1"</c>: the same clock, segments cut at
/// the same second). The subtitle segments are written here (one cue per second, <c>Cue &lt;n&gt;</c> from n+0.2 to
/// n+0.8 s after the video's start) with an X-TIMESTAMP-MAP that puts LOCAL 0 at the video's first PTS. Sequence n
/// of every playlist holds media second n.
/// </summary>
internal sealed class RenditionLiveOrigin : IAsyncDisposable
{
    private static readonly SemaphoreSlim Gate = new(1, 1);
    private static Media? _made;
    private readonly Media _media;
    private readonly List<long> _window = [];

    private RenditionLiveOrigin(TestOrigin origin, Media media)
    {
        Origin = origin;
        _media = media;
    }

    public TestOrigin Origin { get; }

    public string MasterPath => "/live/master.m3u8";

    public int WindowSize { get; set; } = 4;

    /// <summary>Each playlist lists EXT-X-PROGRAM-DATE-TIME (the same wall clock for all), so renditions line up by time.</summary>
    public bool ProgramDateTime { get; set; }

    /// <summary>Seconds of media the origin can serve.</summary>
    public int Count => _media.Video.Count;

    /// <summary>First PTS of the video (and the subtitles' MPEGTS mapping), seconds.</summary>
    public double VideoStart => _media.VideoStart;

    public static readonly string[] Playlists = ["video", "audio_eng", "audio_spa", "subs_eng"];

    /// <summary>The variant names of the live ffmpeg run (<c>-var_stream_map ...name:</c>), its directories.</summary>
    public static readonly string[] Names = ["video", "eng", "spa"];

    public static async Task<RenditionLiveOrigin> StartAsync()
    {
        var media = await MakeAsync();
        var origin = await TestOrigin.StartAsync();
        var live = new RenditionLiveOrigin(origin, media);
        origin.Set(live.MasterPath, """
            #EXTM3U
            #EXT-X-VERSION:3
            #EXT-X-INDEPENDENT-SEGMENTS
            #EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID="aud",NAME="English",LANGUAGE="eng",DEFAULT=YES,AUTOSELECT=YES,CHANNELS="1",URI="audio_eng/index.m3u8"
            #EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID="aud",NAME="Spanish",LANGUAGE="spa",DEFAULT=NO,AUTOSELECT=YES,CHANNELS="1",URI="audio_spa/index.m3u8"
            #EXT-X-MEDIA:TYPE=SUBTITLES,GROUP-ID="subs",NAME="English CC",LANGUAGE="eng",DEFAULT=NO,AUTOSELECT=YES,URI="subs_eng/index.m3u8"
            #EXT-X-STREAM-INF:BANDWIDTH=300000,RESOLUTION=160x90,CODECS="avc1.42c00c,mp4a.40.2",AUDIO="aud",SUBTITLES="subs"
            video/index.m3u8

            """.Replace("\r\n", "\n", StringComparison.Ordinal));
        return live;
    }

    public string SegmentPath(string playlist, long seq) => $"/live/{playlist}/s{seq}.{(playlist.StartsWith("subs", StringComparison.Ordinal) ? "vtt" : "ts")}";

    /// <summary>Appends second <paramref name="seq"/> to every playlist (all published at once).</summary>
    public void Append(long seq)
    {
        var i = (int)seq;
        Origin.Set(SegmentPath("video", seq), _media.Video[i].Body);
        Origin.Set(SegmentPath("audio_eng", seq), _media.Eng[i].Body);
        Origin.Set(SegmentPath("audio_spa", seq), _media.Spa[i].Body);
        Origin.Set(SegmentPath("subs_eng", seq), Cue(seq), "text/vtt");
        _window.Add(seq);
        while (_window.Count > WindowSize)
        {
            _window.RemoveAt(0);
        }
        foreach (var name in Playlists)
        {
            Publish(name);
        }
    }

    /// <summary>The text of cue <paramref name="seq"/>'s segment (what the sidecar must time to the part).</summary>
    public string Cue(long seq) => string.Create(CultureInfo.InvariantCulture,
        $"WEBVTT\nX-TIMESTAMP-MAP=MPEGTS:{(long)Math.Round(_media.VideoStart * 90000)},LOCAL:00:00:00.000\n\ncue-{seq}\n00:00:{seq:00}.200 --> 00:00:{seq:00}.800 line:90%\nCue {seq}\n");

    private void Publish(string name)
    {
        var durations = name switch
        {
            "audio_eng" => _media.Eng.Select(s => s.Duration).ToList(),
            "audio_spa" => _media.Spa.Select(s => s.Duration).ToList(),
            _ => _media.Video.Select(s => s.Duration).ToList(),
        };
        var sb = new StringBuilder("#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:1\n");
        sb.Append("#EXT-X-MEDIA-SEQUENCE:").Append(_window.Count > 0 ? _window[0] : 0).Append('\n');
        var wall = new DateTimeOffset(2026, 12, 7, 0, 0, 0, TimeSpan.Zero);
        foreach (var seq in _window)
        {
            if (ProgramDateTime)
            {
                // each playlist's own EXTINF sums, as a packager writes them: audio drifts a few ms against the video
                var at = wall + TimeSpan.FromSeconds(durations.Take((int)seq).Sum());
                sb.Append("#EXT-X-PROGRAM-DATE-TIME:").Append(at.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture)).Append('\n');
            }
            sb.Append(CultureInfo.InvariantCulture, $"#EXTINF:{durations[(int)seq]:0.000000},\n");
            sb.Append(SegmentPath(name, seq).AsSpan($"/live/{name}/".Length)).Append('\n');
        }
        Origin.Set($"/live/{name}/index.m3u8", sb.ToString());
    }

    private sealed record Media(List<(byte[] Body, double Duration)> Video, List<(byte[] Body, double Duration)> Eng, List<(byte[] Body, double Duration)> Spa, double VideoStart);

    private static async Task<Media> MakeAsync()
    {
        await Gate.WaitAsync();
        try
        {
            if (_made is { } m)
            {
                return m;
            }
            var dir = Directory.CreateTempSubdirectory("rec-renditions-").FullName;
            string[] args =
            [
                "-hide_banner", "-loglevel", "error", "-y",
                "-f", "lavfi", "-i", "testsrc=size=160x90:rate=25",
                "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=44100",
                "-f", "lavfi", "-i", "sine=frequency=660:sample_rate=44100",
                "-t", "16", "-map", "0:v", "-map", "1:a", "-map", "2:a",
                "-c:v", "libx264", "-preset", "ultrafast", "-g", "25", "-keyint_min", "25", "-sc_threshold", "0",
                "-c:a", "aac", "-b:a", "64k", "-ac", "1",
                "-f", "hls", "-hls_time", "1", "-hls_list_size", "0", "-hls_playlist_type", "vod",
                "-var_stream_map", "v:0 a:0 a:1",
                "-hls_segment_filename", Path.Combine(dir, "v%v_%03d.ts"), Path.Combine(dir, "v%v.m3u8"),
            ];
            var (code, log) = await LocalProcess.RunAsync(Tools.Ffmpeg, args, TimeSpan.FromSeconds(120), dir);
            Assert.True(code == 0, "ffmpeg failed: " + log);
            var video = Read(dir, 0);
            var eng = Read(dir, 1);
            var spa = Read(dir, 2);
            var count = Math.Min(video.Count, Math.Min(eng.Count, spa.Count));
            Assert.True(count >= 14, $"ffmpeg made too few segments ({video.Count}/{eng.Count}/{spa.Count})");
            var (start, _) = await TestMedia.ProbeSpanAsync(Path.Combine(dir, "v0_000.ts"));
            _made = new Media(video.GetRange(0, count), eng.GetRange(0, count), spa.GetRange(0, count), start);
            Directory.Delete(dir, recursive: true);
            return _made;
        }
        finally
        {
            Gate.Release();
        }
    }

    /// <summary>ffmpeg's own segments of variant <paramref name="v"/> with their EXTINF durations, in order.</summary>
    private static List<(byte[] Body, double Duration)> Read(string dir, int v)
    {
        var result = new List<(byte[], double)>();
        double? duration = null;
        foreach (var line in File.ReadAllLines(Path.Combine(dir, $"v{v}.m3u8")))
        {
            if (line.StartsWith("#EXTINF:", StringComparison.Ordinal))
            {
                duration = double.Parse(line["#EXTINF:".Length..].TrimEnd(','), CultureInfo.InvariantCulture);
            }
            else if (line.Length > 0 && line[0] != '#' && duration is { } d)
            {
                result.Add((File.ReadAllBytes(Path.Combine(dir, line)), d));
                duration = null;
            }
        }
        return result;
    }

    public ValueTask DisposeAsync() => Origin.DisposeAsync();
}
