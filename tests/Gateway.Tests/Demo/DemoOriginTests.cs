using System.Globalization;
using System.Net;
using HlsGateway.Demo;
using HlsGateway.Tests.Common;
using Microsoft.Extensions.DependencyInjection;

namespace HlsGateway.Tests.Demo;

/// <summary>
/// The real gateway started with no origins: the built-in demo origin serves <c>demo</c>, through
/// the normal proxy and cache path, to HTTP clients, ffprobe and ffmpeg.
/// </summary>
public sealed class DemoOriginTests
{
    private static Task<GatewayHost> StartAsync() => GatewayHost.StartAsync(new Dictionary<string, string?>());

    [Fact]
    public async Task MasterPlaylist_ListsBothRenditions()
    {
        await using var gw = await StartAsync();
        using var response = await gw.Client.GetAsync("/hls/demo/master.m3u8");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/vnd.apple.mpegurl", response.Content.Headers.ContentType?.MediaType);
        var lines = (await response.Content.ReadAsStringAsync()).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var variants = lines.Where(l => l.StartsWith("#EXT-X-STREAM-INF:", StringComparison.Ordinal)).ToArray();
        Assert.Equal(2, variants.Length);
        Assert.Contains("RESOLUTION=640x360", variants[0], StringComparison.Ordinal);
        Assert.Contains("RESOLUTION=320x180", variants[1], StringComparison.Ordinal);
        Assert.All(variants, v =>
        {
            Assert.Matches("BANDWIDTH=\\d+,AVERAGE-BANDWIDTH=\\d+,", v);
            Assert.Contains("CODECS=\"avc1.", v, StringComparison.Ordinal);
            Assert.Contains("FRAME-RATE=30.000", v, StringComparison.Ordinal);
        });
        Assert.Contains("live/360p.m3u8", lines);
        Assert.Contains("live/180p.m3u8", lines);

        // each variant playlist resolves and its segments download through the gateway
        foreach (var variant in new[] { "live/360p.m3u8", "live/180p.m3u8" })
        {
            var playlist = MediaPlaylist.Parse(await gw.Client.GetStringAsync("/hls/demo/" + variant));
            Assert.Equal(DemoPlaylistGenerator.WindowSize, playlist.Segments.Count);
            var segmentUrl = new Uri(new Uri(gw.Client.BaseAddress!, "/hls/demo/" + variant), playlist.Segments[^1].Uri);
            await AssertTsSegmentAsync(gw.Client, segmentUrl.AbsolutePath);
        }
    }

    [Fact]
    public async Task LivePlaylist_IsALiveWindowWhoseSegmentsDownloadThroughTheGateway()
    {
        await using var gw = await StartAsync();
        using var response = await gw.Client.GetAsync("/hls/demo/live.m3u8");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/vnd.apple.mpegurl", response.Content.Headers.ContentType?.MediaType);
        var playlist = MediaPlaylist.Parse(await response.Content.ReadAsStringAsync());
        Assert.DoesNotContain("#EXT-X-ENDLIST", playlist.Lines);
        Assert.Null(playlist.Tag("#EXT-X-PLAYLIST-TYPE"));
        Assert.Equal("2", playlist.Tag("#EXT-X-TARGETDURATION"));
        Assert.NotNull(playlist.Tag("#EXT-X-DISCONTINUITY-SEQUENCE"));
        Assert.Equal(6, playlist.Segments.Count);
        Assert.All(playlist.Segments, s => Assert.Equal("2.000", s.Duration));
        Assert.All(playlist.Segments, s => Assert.NotNull(s.ProgramDateTime));

        foreach (var segment in playlist.Segments)
        {
            Assert.StartsWith("live/360p/seg-", segment.Uri, StringComparison.Ordinal);
            await AssertTsSegmentAsync(gw.Client, "/hls/demo/" + segment.Uri);
        }

        // a segment that does not exist yet is 404, as on a real live origin
        var future = playlist.Segments[^1].Number + 5;
        using var notYet = await gw.Client.GetAsync($"/hls/demo/live/360p/seg-{future}.ts");
        Assert.Equal(HttpStatusCode.NotFound, notYet.StatusCode);
    }

    [Fact]
    public async Task LivePlaylist_MediaSequenceAdvancesAfterATargetDuration()
    {
        await using var gw = await StartAsync();
        var before = MediaPlaylist.Parse(await gw.Client.GetStringAsync("/hls/demo/live.m3u8"));
        // the gateway keeps a live playlist for half its target duration (1 s); the window moves every 2 s
        await Task.Delay(TimeSpan.FromSeconds(2.5));
        var after = MediaPlaylist.Parse(await gw.Client.GetStringAsync("/hls/demo/live.m3u8"));
        Assert.True(after.MediaSequence > before.MediaSequence, $"media sequence {before.MediaSequence} -> {after.MediaSequence}");
        Assert.Equal(6, after.Segments.Count);
        Assert.Equal(before.Segments[^1].ProgramDateTime + TimeSpan.FromSeconds(2 * (after.MediaSequence - before.MediaSequence)), after.Segments[^1].ProgramDateTime);
    }

    [Fact]
    public async Task VodPlaylist_IsTheWholeLoopWithEndList()
    {
        await using var gw = await StartAsync();
        var playlist = MediaPlaylist.Parse(await gw.Client.GetStringAsync("/hls/demo/vod.m3u8"));
        Assert.Equal("VOD", playlist.Tag("#EXT-X-PLAYLIST-TYPE"));
        Assert.Equal("#EXT-X-ENDLIST", playlist.Lines[^1]);
        Assert.Equal(Enumerable.Range(0, 6).Select(i => $"vod/360p/seg-{i}.ts"), playlist.Segments.Select(s => s.Uri));
        foreach (var segment in playlist.Segments)
        {
            await AssertTsSegmentAsync(gw.Client, "/hls/demo/" + segment.Uri);
        }
    }

    [Fact]
    public async Task Ffprobe_ReadsADownloadedSegmentOfAboutTwoSeconds()
    {
        await using var gw = await StartAsync();
        var playlist = MediaPlaylist.Parse(await gw.Client.GetStringAsync("/hls/demo/live.m3u8"));
        var file = Path.Combine(Path.GetTempPath(), $"demo-seg-{Guid.NewGuid():N}.ts");
        try
        {
            await File.WriteAllBytesAsync(file, await gw.Client.GetByteArrayAsync("/hls/demo/" + playlist.Segments[^1].Uri));
            var (exit, output) = await LocalProcess.RunAsync(Tools.Ffprobe,
                ["-v", "error", "-show_entries", "format=duration:stream=codec_name", "-of", "default=noprint_wrappers=1", file], TimeSpan.FromSeconds(30));
            Assert.True(exit == 0, output);
            Assert.Contains("codec_name=h264", output, StringComparison.Ordinal);
            Assert.Contains("codec_name=aac", output, StringComparison.Ordinal);
            var duration = double.Parse(output.Split('\n').Single(l => l.StartsWith("duration=", StringComparison.Ordinal))[9..].Trim(), CultureInfo.InvariantCulture);
            Assert.InRange(duration, 1.9, 2.1);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public async Task Ffmpeg_PlaysTheLivePlaylistThroughTheGateway()
    {
        await using var gw = await StartAsync();
        var (exit, output) = await LocalProcess.RunAsync(Tools.Ffmpeg,
            ["-nostdin", "-v", "error", "-i", gw.BaseUrl + "/hls/demo/live.m3u8", "-t", "4", "-f", "null", "-"], TimeSpan.FromSeconds(40));
        Assert.True(exit == 0, output);
    }

    [Fact]
    public async Task Ffmpeg_PlaysTheMasterPlaylistAcrossALoopWrap()
    {
        // 14 s of output from a 12 s loop always crosses one wrap (EXT-X-DISCONTINUITY)
        await using var gw = await StartAsync();
        var (exit, output) = await LocalProcess.RunAsync(Tools.Ffmpeg,
            ["-nostdin", "-v", "error", "-i", gw.BaseUrl + "/hls/demo/master.m3u8", "-map", "0:v:0", "-t", "14", "-f", "null", "-"], TimeSpan.FromSeconds(60));
        Assert.True(exit == 0, output);
    }

    [Fact]
    public async Task DemoOrigin_IsNotStarted_WhenOriginsAreConfigured()
    {
        await using var origin = await TestOrigin.StartAsync();
        await using var gw = await GatewayHost.StartAsync(new Dictionary<string, string?> { ["Gateway:Origins:o1"] = origin.BaseUrl });
        Assert.Null(gw.Services.GetRequiredService<DemoOriginService>().BaseUri);
        using var response = await gw.Client.GetAsync("/hls/demo/live.m3u8");
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    [Fact]
    public async Task DemoOrigin_StopsWithTheGateway()
    {
        var gw = await StartAsync();
        var demo = gw.Services.GetRequiredService<DemoOriginService>();
        var baseUri = demo.BaseUri!;
        await gw.DisposeAsync();
        using var client = new HttpClient();
        await Assert.ThrowsAsync<HttpRequestException>(() => client.GetAsync(new Uri(baseUri, "live.m3u8")));
    }

    private static async Task AssertTsSegmentAsync(HttpClient client, string path)
    {
        using var response = await client.GetAsync(path);
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{path}: {(int)response.StatusCode}");
        Assert.Equal("video/mp2t", response.Content.Headers.ContentType?.MediaType);
        var body = await response.Content.ReadAsByteArrayAsync();
        Assert.Equal(response.Content.Headers.ContentLength, body.Length);
        Assert.True(body.Length > 188 && body.Length % 188 == 0, $"{path}: {body.Length} bytes");
        Assert.Equal(0x47, body[0]);
        Assert.Equal(0x47, body[188]);
    }
}
