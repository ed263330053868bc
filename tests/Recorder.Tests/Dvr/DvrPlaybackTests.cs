using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;
using HlsGateway.Access;
using HlsGateway.Recorder.Lifecycle;
using HlsGateway.Recorder.Pipeline;
using HlsGateway.Tests.Common;
using HlsGateway.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace HlsGateway.Tests.Dvr;

/// <summary>
/// DVR / startover end to end: the real gateway records a synthetic live origin (real ffmpeg segments) through its
/// own cache, and serves the recording back at <c>/dvr/news/index.m3u8</c> from the raw segments on disk: an EVENT
/// playlist while recording, VOD with EXT-X-ENDLIST after the stop (the retention window keeps the raw segments after
/// the remux), a discontinuity between parts, wall-clock windows, signatures; ffmpeg and ffprobe read it over HTTP.
/// </summary>
public sealed class DvrPlaybackTests : LiveOriginTest
{
    private const string Kid = "dvr";
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);
    private static readonly string Key = Convert.ToBase64String(Enumerable.Range(3, 32).Select(i => (byte)i).ToArray());

    public DvrPlaybackTests()
        : base("rec-dvr-")
    {
    }

    private Task<GatewayHost> StartGatewayAsync(Dictionary<string, string?>? extra = null, SyntheticLiveOrigin? origin = null)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Gateway:Origins:o1"] = (origin ?? Origin).Origin.BaseUrl,
            ["Recorder:OutputDirectory"] = OutputDirectory,
            ["Recorder:FfmpegDirectory"] = Path.GetDirectoryName(Tools.Ffmpeg),
            ["Recorder:Dvr:RetentionWindow"] = "01:00:00",
            ["Recorder:Recordings:0:Name"] = "news",
            ["Recorder:Recordings:0:Url"] = "/hls/o1" + Origin.PlaylistPath,
        };
        foreach (var (k, v) in extra ?? [])
        {
            settings[k] = v;
        }
        return GatewayHost.StartAsync(settings);
    }

    private static Task RecordedAsync(GatewayHost gw, long seq) =>
        RecorderHost.WaitUntilAsync(() => gw.Services.GetRequiredService<RecordingManager>().Get("news") is { } s && s.LastMediaSequence == seq, Wait, $"sequence {seq} recorded");

    private async Task AppendAsync(GatewayHost gw, long seq, int? media = null, bool discontinuity = false)
    {
        Origin.Append(seq, media ?? (int)seq, discontinuity);
        await RecordedAsync(gw, seq);
    }

    [Fact]
    public async Task Dvr_playlist_grows_as_EVENT_while_recording_then_is_VOD_that_ffmpeg_reads_whole_with_the_discontinuity_marked()
    {
        await using var gw = await StartGatewayAsync();
        await RecordedAsync(gw, 3);
        for (var s = 4; s <= 6; s++)
        {
            await AppendAsync(gw, s);
        }
        var live = await gw.Client.GetStringAsync("/dvr/news/index.m3u8");
        Assert.Contains("#EXT-X-PLAYLIST-TYPE:EVENT", live, StringComparison.Ordinal);
        Assert.DoesNotContain("#EXT-X-ENDLIST", live, StringComparison.Ordinal);
        Assert.Equal(4, Count(live, "#EXTINF:"));
        await AppendAsync(gw, 7);
        Assert.Equal(5, Count(await gw.Client.GetStringAsync("/dvr/news/index.m3u8"), "#EXTINF:")); // it grows, from the beginning

        // a live ffmpeg reader starts from the beginning of the recording (startover), not the live edge
        var (code, probed) = await LocalProcess.RunAsync(Tools.Ffprobe, ["-v", "error", "-live_start_index", "0", "-select_streams", "v:0",
            "-show_entries", "stream=codec_name", "-of", "csv=p=0", gw.BaseUrl + "/dvr/news/index.m3u8"], TimeSpan.FromSeconds(30));
        Assert.True(code == 0 && probed.Contains("h264", StringComparison.Ordinal), probed);

        await AppendAsync(gw, 8, media: 0, discontinuity: true); // the source's timeline jumps: a new part
        await AppendAsync(gw, 9, media: 1);
        var manager = gw.Services.GetRequiredService<RecordingManager>();
        Assert.True(await manager.StopRecordingAsync("news"));
        await RecorderHost.WaitUntilAsync(() => manager.Get("news")!.Parts.All(p => p.State == PartState.Remuxed), Wait, "parts remuxed");
        var status = manager.Get("news")!;
        Assert.Equal(2, status.Parts.Count);
        Assert.All(status.Parts, p => Assert.True(File.Exists(Path.Combine(OutputDirectory, p.RawPath)), "raw kept for DVR"));

        var vod = await gw.Client.GetStringAsync("/dvr/news/index.m3u8");
        Assert.Contains("#EXT-X-PLAYLIST-TYPE:VOD", vod, StringComparison.Ordinal);
        Assert.EndsWith("#EXT-X-ENDLIST\n", vod, StringComparison.Ordinal);
        Assert.Equal(7, Count(vod, "#EXTINF:"));
        Assert.Equal(1, Count(vod, "#EXT-X-DISCONTINUITY\n"));
        Assert.Equal(7, Count(vod, "#EXT-X-PROGRAM-DATE-TIME:"));

        var url = gw.BaseUrl + "/dvr/news/index.m3u8";
        var (c1, duration) = await LocalProcess.RunAsync(Tools.Ffprobe, ["-v", "error", "-show_entries", "format=duration", "-of", "csv=p=0", url], TimeSpan.FromSeconds(30));
        Assert.True(c1 == 0, duration);
        Assert.InRange(double.Parse(duration.Trim(), CultureInfo.InvariantCulture), 7 - 0.1, 7 + 0.1);
        // every frame of the 7 recorded seconds comes through the DVR playlist (25 fps), decoded without an error
        var (c2, packets) = await LocalProcess.RunAsync(Tools.Ffprobe, ["-v", "error", "-select_streams", "v:0", "-count_packets",
            "-show_entries", "stream=nb_read_packets", "-of", "csv=p=0", url], TimeSpan.FromSeconds(60));
        Assert.True(c2 == 0, packets);
        // (the hls demuxer lists the video stream once per program: one line each)
        Assert.All(packets.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries), p => Assert.Equal(7 * 25, int.Parse(p, CultureInfo.InvariantCulture)));
    }

    [Fact]
    public async Task Fmp4_recording_is_served_with_its_init_section_as_an_EXT_X_MAP_byte_range_and_decodes()
    {
        await using var fmp4 = await SyntheticLiveOrigin.StartAsync(fmp4: true);
        for (var s = 0; s <= 3; s++)
        {
            fmp4.Append(s, s);
        }
        await using var gw = await StartGatewayAsync(origin: fmp4);
        await RecordedAsync(gw, 3);
        for (var s = 4; s <= 7; s++)
        {
            fmp4.Append(s, s);
            await RecordedAsync(gw, s);
        }
        var manager = gw.Services.GetRequiredService<RecordingManager>();
        Assert.True(await manager.StopRecordingAsync("news"));
        await RecorderHost.WaitUntilAsync(() => manager.Get("news")!.Parts.All(p => p.State == PartState.Remuxed), Wait, "parts remuxed");
        var vod = await gw.Client.GetStringAsync("/dvr/news/index.m3u8");
        var (_, init, _) = await TestMedia.GetAsync();
        Assert.Contains($"#EXT-X-MAP:URI=\"1.m4s\",BYTERANGE=\"{init.Length}@0\"", vod, StringComparison.Ordinal);
        Assert.Equal(5, Count(vod, "#EXTINF:"));
        var url = gw.BaseUrl + "/dvr/news/index.m3u8";
        var (c1, duration) = await LocalProcess.RunAsync(Tools.Ffprobe, ["-v", "error", "-show_entries", "format=duration", "-of", "csv=p=0", url], TimeSpan.FromSeconds(30));
        Assert.True(c1 == 0, duration);
        Assert.InRange(double.Parse(duration.Trim(), CultureInfo.InvariantCulture), 5 - 0.1, 5 + 0.1);
        var (c2, errors) = await LocalProcess.RunAsync(Tools.Ffmpeg, ["-v", "error", "-i", url, "-f", "null", "-"], TimeSpan.FromSeconds(60));
        Assert.True(c2 == 0 && errors.Trim().Length == 0, errors);
    }

    [Fact]
    public async Task Start_and_end_cut_a_wall_clock_window_and_bad_input_is_a_problem()
    {
        await using var gw = await StartGatewayAsync();
        await RecordedAsync(gw, 3);
        for (var s = 4; s <= 8; s++)
        {
            await AppendAsync(gw, s);
        }
        var full = await gw.Client.GetStringAsync("/dvr/news/index.m3u8");
        var times = Regex.Matches(full, "#EXT-X-PROGRAM-DATE-TIME:(.+)\n").Select(m => m.Groups[1].Value).ToList();
        Assert.Equal(6, times.Count);
        var window = await gw.Client.GetStringAsync($"/dvr/news/index.m3u8?start={Uri.EscapeDataString(times[2])}&end={Uri.EscapeDataString(times[4])}");
        Assert.Equal(2, Count(window, "#EXTINF:"));
        Assert.Contains("#EXT-X-PROGRAM-DATE-TIME:" + times[2] + "\n", window, StringComparison.Ordinal);
        Assert.Contains("#EXT-X-MEDIA-SEQUENCE:2\n", window, StringComparison.Ordinal);
        Assert.EndsWith("#EXT-X-ENDLIST\n", window, StringComparison.Ordinal); // the window's end has passed: catch-up VOD
        var (code, duration) = await LocalProcess.RunAsync(Tools.Ffprobe, ["-v", "error", "-show_entries", "format=duration", "-of", "csv=p=0",
            $"{gw.BaseUrl}/dvr/news/index.m3u8?start={Uri.EscapeDataString(times[2])}&end={Uri.EscapeDataString(times[4])}"], TimeSpan.FromSeconds(30));
        Assert.True(code == 0, duration);
        Assert.InRange(double.Parse(duration.Trim(), CultureInfo.InvariantCulture), 2 - 0.1, 2 + 0.1);
        // the window decodes without an error (one part: no discontinuity for ffmpeg's null muxer to trip over)
        var (c3, errors) = await LocalProcess.RunAsync(Tools.Ffmpeg, ["-v", "error", "-i",
            $"{gw.BaseUrl}/dvr/news/index.m3u8?start={Uri.EscapeDataString(times[2])}&end={Uri.EscapeDataString(times[4])}", "-f", "null", "-"], TimeSpan.FromSeconds(60));
        Assert.True(c3 == 0 && errors.Trim().Length == 0, errors);

        using var bad = await gw.Client.GetAsync("/dvr/news/index.m3u8?start=yesterday");
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Equal("application/problem+json", bad.Content.Headers.ContentType?.MediaType);
        using var unknown = await gw.Client.GetAsync("/dvr/nobody/index.m3u8");
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        using var climbing = await gw.Client.GetAsync("/dvr/news/..%2F..%2Fetc%2Fpasswd");
        Assert.True(climbing.StatusCode is HttpStatusCode.NotFound or HttpStatusCode.BadRequest, climbing.StatusCode.ToString());
    }

    [Fact]
    public async Task Signed_dvr_urls_are_required_like_hls_and_children_carry_an_acl_signature()
    {
        await using var gw = await StartGatewayAsync(new() { ["Gateway:Signing:Required"] = "true", [$"Gateway:Signing:Keys:{Kid}"] = Key });
        await RecordedAsync(gw, 3);
        await AppendAsync(gw, 4);
        using (var unsigned = await gw.Client.GetAsync("/dvr/news/index.m3u8"))
        {
            Assert.Equal(HttpStatusCode.Forbidden, unsigned.StatusCode);
        }
        var exp = DateTimeOffset.UtcNow.AddMinutes(10).ToUnixTimeSeconds();
        var query = UrlSignature.BuildQuery(Convert.FromBase64String(Key), Kid, exp, "/dvr/news/index.m3u8", null, null);
        var playlist = await gw.Client.GetStringAsync("/dvr/news/index.m3u8?" + query);
        var child = playlist.Split('\n').First(l => l.Length > 0 && l[0] != '#');
        Assert.Contains("acl=/dvr/news/", child, StringComparison.Ordinal);
        using (var segment = await gw.Client.GetAsync("/dvr/news/" + child))
        {
            Assert.Equal(HttpStatusCode.OK, segment.StatusCode);
        }
        using (var other = await gw.Client.GetAsync("/dvr/other/" + child))
        {
            Assert.Equal(HttpStatusCode.Forbidden, other.StatusCode); // the acl covers this recording only
        }
        var (code, duration) = await LocalProcess.RunAsync(Tools.Ffprobe, ["-v", "error", "-show_entries", "format=duration", "-of", "csv=p=0",
            gw.BaseUrl + "/dvr/news/index.m3u8?" + query], TimeSpan.FromSeconds(30));
        Assert.True(code == 0, duration);
    }

    [Fact]
    public async Task Dvr_is_behind_the_ip_allowlist()
    {
        await using var gw = await StartGatewayAsync(new() { ["Gateway:Access:Allow:0"] = "10.0.0.0/8" });
        using var denied = await gw.Client.GetAsync("/dvr/news/index.m3u8");
        Assert.Equal(HttpStatusCode.Forbidden, denied.StatusCode);
    }

    private static int Count(string text, string what) => Regex.Matches(text, Regex.Escape(what)).Count;
}
