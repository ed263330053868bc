using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;
using HlsGateway.Access;
using HlsGateway.Recorder.Lifecycle;
using HlsGateway.Recorder.Pipeline;
using HlsGateway.Tests.Common;
using HlsGateway.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;

namespace HlsGateway.Tests.Dvr;

/// <summary>
/// DVR of a demuxed source (issue 15): the real gateway records <see cref="RenditionLiveOrigin"/> (a video-only variant,
/// English and Spanish audio renditions, WebVTT subtitles; real ffmpeg segments) through its own cache with
/// <c>Recorder:Renditions:Audio=All</c>, and <c>/dvr/news/index.m3u8</c> is a master playlist over the video and a
/// media playlist per track, which ffmpeg reads back with sound; windows and signatures reach the children.
/// </summary>
public sealed class DvrRenditionPlaybackTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const string Kid = "dvr";
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);
    private static readonly string Key = Convert.ToBase64String(Enumerable.Range(5, 32).Select(i => (byte)i).ToArray());
    private readonly string _out = Directory.CreateTempSubdirectory("rec-dvr-rend-").FullName;
    private RenditionLiveOrigin _origin = null!;

    public async Task InitializeAsync()
    {
        _origin = await RenditionLiveOrigin.StartAsync();
        for (var s = 0; s <= 3; s++)
        {
            _origin.Append(s);
        }
    }

    public async Task DisposeAsync()
    {
        await _origin.DisposeAsync();
        Directory.Delete(_out, recursive: true);
    }

    private async Task<GatewayHost> StartAsync(Dictionary<string, string?>? extra = null)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Gateway:Origins:o1"] = _origin.Origin.BaseUrl,
            ["Recorder:OutputDirectory"] = _out,
            ["Recorder:FfmpegDirectory"] = Path.GetDirectoryName(Tools.Ffmpeg),
            ["Recorder:Dvr:RetentionWindow"] = "01:00:00",
            ["Recorder:Renditions:Audio"] = "All",
            ["Recorder:Recordings:0:Name"] = "news",
            ["Recorder:Recordings:0:Url"] = "/hls/o1" + _origin.MasterPath,
        };
        foreach (var (k, v) in extra ?? [])
        {
            settings[k] = v;
        }
        var gw = await GatewayHost.StartAsync(settings);
        await RecordedAsync(gw, 3);
        return gw;
    }

    private static RecordingManager Manager(GatewayHost gw) => gw.Services.GetRequiredService<RecordingManager>();

    private static Task RecordedAsync(GatewayHost gw, long seq) =>
        RecorderHost.WaitUntilAsync(() => Manager(gw).Get("news") is { } s && s.LastMediaSequence == seq && s.Renditions.Count == 3
            && s.Renditions.All(r => r.LastMediaSequence == seq), Wait, $"second {seq} recorded with every rendition");

    /// <summary>Seconds 4..<paramref name="to"/>, a split after second <paramref name="splitAfter"/>; then stop and wait for the remux.</summary>
    private async Task RecordAndStopAsync(GatewayHost gw, int to, int splitAfter)
    {
        for (var s = 4; s <= to; s++)
        {
            _origin.Append(s);
            await RecordedAsync(gw, s);
            if (s == splitAfter)
            {
                Assert.True(Manager(gw).RequestSplit("news"));
            }
        }
        Assert.True(await Manager(gw).StopRecordingAsync("news"));
        await RecorderHost.WaitUntilAsync(() => Manager(gw).Get("news")!.Parts.All(p => p.State == PartState.Remuxed), Wait, "parts remuxed");
    }

    [Fact]
    public async Task Master_playlist_lists_the_audio_tracks_and_ffmpeg_reads_video_and_audio_of_the_same_length()
    {
        await using var gw = await StartAsync();
        var live = await gw.Client.GetStringAsync("/dvr/news/index.m3u8");
        Assert.Contains("#EXT-X-STREAM-INF:", live, StringComparison.Ordinal); // a master while it records, too
        var liveEng = await gw.Client.GetStringAsync("/dvr/news/audio-eng.m3u8");
        Assert.Contains("#EXT-X-PLAYLIST-TYPE:EVENT", liveEng, StringComparison.Ordinal);
        Assert.Equal(1, Count(liveEng, "#EXTINF:")); // second 3, while the part is still open
        await RecordAndStopAsync(gw, to: 10, splitAfter: 6);
        var status = Manager(gw).Get("news")!;
        Assert.Equal(2, status.Parts.Count);
        Assert.All(status.Parts, p => Assert.Equal(3, p.Tracks.Count));

        var master = await gw.Client.GetStringAsync("/dvr/news/index.m3u8");
        output.WriteLine(master);
        Assert.Contains("#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID=\"audio\",NAME=\"English\",LANGUAGE=\"eng\",DEFAULT=YES,AUTOSELECT=YES,URI=\"audio-eng.m3u8\"", master, StringComparison.Ordinal);
        Assert.Contains("#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID=\"audio\",NAME=\"Spanish\",LANGUAGE=\"spa\",DEFAULT=NO,AUTOSELECT=YES,URI=\"audio-spa.m3u8\"", master, StringComparison.Ordinal);
        Assert.Contains("#EXT-X-MEDIA:TYPE=SUBTITLES,GROUP-ID=\"subs\",NAME=\"English CC\"", master, StringComparison.Ordinal);
        Assert.Matches(@"#EXT-X-STREAM-INF:BANDWIDTH=\d+,AUDIO=""audio"",SUBTITLES=""subs""\nvideo.m3u8\n", master);

        var video = await gw.Client.GetStringAsync("/dvr/news/video.m3u8");
        var eng = await gw.Client.GetStringAsync("/dvr/news/audio-eng.m3u8");
        var subs = await gw.Client.GetStringAsync("/dvr/news/subtitles-eng.m3u8");
        foreach (var p in new[] { video, eng, subs })
        {
            Assert.Equal(8, Count(p, "#EXTINF:")); // seconds 3..10
            Assert.Equal(1, Count(p, "#EXT-X-DISCONTINUITY\n")); // the split, in step
            Assert.Contains("#EXT-X-DISCONTINUITY-SEQUENCE:0\n", p, StringComparison.Ordinal);
            Assert.EndsWith("#EXT-X-ENDLIST\n", p, StringComparison.Ordinal);
        }
        Assert.Contains("\n2.audio-eng.ts\n", eng, StringComparison.Ordinal);
        // without PROGRAM-DATE-TIME from the source a rendition segment is on air with its video segment
        Assert.Equal(Times(video), Times(eng));
        using (var vtt = await gw.Client.GetAsync("/dvr/news/" + Uris(subs)[0]))
        {
            Assert.Equal("text/vtt", vtt.Content.Headers.ContentType?.MediaType);
            Assert.StartsWith("WEBVTT", await vtt.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }
        using (var gone = await gw.Client.GetAsync("/dvr/news/1.audio-xyz.ts"))
        {
            Assert.Equal(HttpStatusCode.NotFound, gone.StatusCode);
            Assert.Equal("application/problem+json", gone.Content.Headers.ContentType?.MediaType);
        }
        using (var unknown = await gw.Client.GetAsync("/dvr/news/audio-xyz.m3u8"))
        {
            Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        }

        // ffmpeg over HTTP: the master's video and both audio renditions, copied out as they are
        var url = gw.BaseUrl + "/dvr/news/index.m3u8";
        var copy = Path.Combine(_out, "dvr-copy.mp4");
        var (code, log) = await LocalProcess.RunAsync(Tools.Ffmpeg, ["-v", "error", "-y", "-i", url, "-map", "0:v:0", "-map", "0:a", "-c", "copy", copy], TimeSpan.FromSeconds(60));
        Assert.True(code == 0, log);
        var streams = await TestMedia.ProbeStreamsAsync(copy);
        output.WriteLine(string.Join(", ", streams.Select(s => $"{s.Type} {s.Language} {s.Start:0.000}+{s.Duration:0.000} s")));
        var v = Assert.Single(streams, s => s.Type == "video");
        var audio = streams.Where(s => s.Type == "audio").ToList();
        Assert.Equal(2, audio.Count);
        Assert.InRange(v.Duration, 8 - 0.5, 8 + 0.5);
        Assert.All(audio, a => Assert.InRange(a.Duration, v.Duration - 1, v.Duration + 1));
        Assert.All(audio, a => Assert.InRange(a.Start, v.Start - 0.1, v.Start + 0.1)); // in sync, not just as long
        var (c2, errors) = await LocalProcess.RunAsync(Tools.Ffmpeg, ["-v", "error", "-i", url, "-map", "0:v:0", "-map", "0:a", "-f", "null", "-"], TimeSpan.FromSeconds(60));
        Assert.True(c2 == 0, errors);
    }

    [Fact]
    public async Task A_window_cuts_video_and_audio_to_the_same_wall_time_in_the_same_discontinuity()
    {
        _origin.ProgramDateTime = true; // the packager's clock: audio drifts a few ms against the video
        await using var gw = await StartAsync();
        await RecordAndStopAsync(gw, to: 12, splitAfter: 6);
        var times = Times(await gw.Client.GetStringAsync("/dvr/news/video.m3u8"));
        Assert.Equal(10, times.Count);
        // seconds 5..8 of the source: across the split (part 1 is 3-6, part 2 7-12)
        var window = $"start={Uri.EscapeDataString(times[2])}&end={Uri.EscapeDataString(times[6])}";
        var master = await gw.Client.GetStringAsync("/dvr/news/index.m3u8?" + window);
        var children = Uris(master);
        Assert.Contains("video.m3u8?" + window.Replace("%3A", ":", StringComparison.Ordinal), children);
        Assert.All(children, c => Assert.Contains("start=", c, StringComparison.Ordinal));
        var video = await gw.Client.GetStringAsync("/dvr/news/" + children.Single(c => c.StartsWith("video.m3u8", StringComparison.Ordinal)));
        var eng = await gw.Client.GetStringAsync("/dvr/news/" + children.Single(c => c.StartsWith("audio-eng.m3u8", StringComparison.Ordinal)));
        var spa = await gw.Client.GetStringAsync("/dvr/news/" + children.Single(c => c.StartsWith("audio-spa.m3u8", StringComparison.Ordinal)));
        output.WriteLine(video + "\n" + eng);
        var v = Times(video);
        Assert.Equal(4, v.Count);
        foreach (var a in new[] { eng, spa })
        {
            var t = Times(a);
            Assert.InRange(t.Count, v.Count - 1, v.Count + 1);
            Assert.InRange(Math.Abs((Parse(t[0]) - Parse(v[0])).TotalSeconds), 0, 1.01);
            Assert.InRange(Math.Abs((Parse(t[^1]) - Parse(v[^1])).TotalSeconds), 0, 1.01);
            Assert.Equal(Header(video, "#EXT-X-DISCONTINUITY-SEQUENCE:"), Header(a, "#EXT-X-DISCONTINUITY-SEQUENCE:"));
            Assert.Equal(1, Count(a, "#EXT-X-DISCONTINUITY\n"));
            Assert.EndsWith("#EXT-X-ENDLIST\n", a, StringComparison.Ordinal);
        }
        Assert.Equal(1, Count(video, "#EXT-X-DISCONTINUITY\n"));
        var (code, log) = await LocalProcess.RunAsync(Tools.Ffprobe, ["-v", "error", "-show_entries", "stream=codec_type", "-of", "csv=p=0",
            gw.BaseUrl + "/dvr/news/index.m3u8?" + window], TimeSpan.FromSeconds(30));
        Assert.True(code == 0 && log.Contains("video", StringComparison.Ordinal) && log.Contains("audio", StringComparison.Ordinal), log);
    }

    [Fact]
    public async Task Signed_master_hands_its_signature_to_every_child_and_unsigned_children_are_refused()
    {
        await using var gw = await StartAsync(new() { ["Gateway:Signing:Required"] = "true", [$"Gateway:Signing:Keys:{Kid}"] = Key });
        await RecordAndStopAsync(gw, to: 6, splitAfter: 5);
        foreach (var unsigned in new[] { "index.m3u8", "video.m3u8", "audio-eng.m3u8", "subtitles-eng.m3u8", "1.audio-eng.ts" })
        {
            using var denied = await gw.Client.GetAsync("/dvr/news/" + unsigned);
            Assert.Equal(HttpStatusCode.Forbidden, denied.StatusCode);
        }
        var exp = DateTimeOffset.UtcNow.AddMinutes(10).ToUnixTimeSeconds();
        var master = await gw.Client.GetStringAsync("/dvr/news/index.m3u8?" + UrlSignature.BuildQuery(Convert.FromBase64String(Key), Kid, exp, "/dvr/news/index.m3u8", null, null));
        var children = Uris(master);
        Assert.Equal(4, children.Count);
        var fetched = 0;
        foreach (var child in children)
        {
            Assert.Contains("acl=/dvr/news/", child, StringComparison.Ordinal);
            var media = await gw.Client.GetStringAsync("/dvr/news/" + child);
            var segments = Uris(media);
            Assert.NotEmpty(segments);
            foreach (var segment in segments.Distinct())
            {
                Assert.Contains("acl=/dvr/news/", segment, StringComparison.Ordinal);
                using var response = await gw.Client.GetAsync("/dvr/news/" + segment);
                Assert.True(response.StatusCode == HttpStatusCode.OK, $"{segment}: {response.StatusCode}");
                fetched++;
            }
        }
        Assert.True(fetched >= 8, $"{fetched} files"); // 2 parts x (video + 3 tracks)
        var (code, log) = await LocalProcess.RunAsync(Tools.Ffprobe, ["-v", "error", "-show_entries", "stream=codec_type", "-of", "csv=p=0",
            gw.BaseUrl + "/dvr/news/index.m3u8?" + UrlSignature.BuildQuery(Convert.FromBase64String(Key), Kid, exp, "/dvr/news/index.m3u8", null, null)], TimeSpan.FromSeconds(30));
        Assert.True(code == 0 && log.Contains("audio", StringComparison.Ordinal), log);
    }

    private static List<string> Uris(string playlist)
    {
        var uris = playlist.Split('\n').Where(l => l.Length > 0 && l[0] != '#').ToList();
        uris.AddRange(Regex.Matches(playlist, "URI=\"([^\"]+)\"").Select(m => m.Groups[1].Value));
        return uris;
    }

    private static List<string> Times(string playlist) =>
        Regex.Matches(playlist, "#EXT-X-PROGRAM-DATE-TIME:(.+)\n").Select(m => m.Groups[1].Value).ToList();

    private static DateTimeOffset Parse(string time) => DateTimeOffset.Parse(time, CultureInfo.InvariantCulture);

    private static string Header(string playlist, string tag) => playlist.Split('\n').Single(l => l.StartsWith(tag, StringComparison.Ordinal));

    private static int Count(string text, string what) => Regex.Matches(text, Regex.Escape(what)).Count;
}
