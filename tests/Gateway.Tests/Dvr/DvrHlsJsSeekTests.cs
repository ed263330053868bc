using System.Text.Json;
using HlsGateway.Tests.Common;
using Xunit.Abstractions;

namespace HlsGateway.Tests.Dvr;

/// <summary>
/// hls.js (vendored, Player/assets) in headless chromium plays a finished recording back through
/// <c>/dvr/&lt;recording&gt;/index.m3u8</c> and seeks into it: the gateway recorded a 12-s ffmpeg-made stream served
/// from disk, kept the raw parts (<c>Recorder:Dvr:RetentionWindow</c>), and serves them as byte ranges.
/// </summary>
public sealed class DvrHlsJsSeekTests(ITestOutputHelper output) : IAsyncLifetime
{
    private readonly string _media = Directory.CreateTempSubdirectory("dvr-src-").FullName;
    private readonly string _out = Directory.CreateTempSubdirectory("dvr-out-").FullName;

    public async Task InitializeAsync()
    {
        var (code, log) = await LocalProcess.RunAsync(Tools.Ffmpeg,
        [
            "-hide_banner", "-loglevel", "error", "-y", "-f", "lavfi", "-i", "testsrc=size=320x180:rate=25", "-f", "lavfi", "-i", "sine",
            "-t", "12", "-c:v", "libx264", "-preset", "ultrafast", "-profile:v", "main", "-pix_fmt", "yuv420p", "-g", "25", "-keyint_min", "25", "-sc_threshold", "0",
            "-c:a", "aac", "-f", "hls", "-hls_time", "1", "-hls_list_size", "0", "-hls_playlist_type", "vod", Path.Combine(_media, "index.m3u8"),
        ], TimeSpan.FromSeconds(120), _media);
        Assert.True(code == 0, log);
    }

    public Task DisposeAsync()
    {
        Directory.Delete(_media, recursive: true);
        Directory.Delete(_out, recursive: true);
        return Task.CompletedTask;
    }

    [Fact]
    public async Task HlsJs_plays_a_recording_from_the_dvr_playlist_and_seeks_into_it()
    {
        await using var origin = await DirectoryOrigin.StartAsync(_media);
        await using var gw = await DvrPlayerPage.StartRecordedAsync(origin.BaseUrl, _out, "/index.m3u8");
        var playlist = await gw.Client.GetStringAsync("/dvr/news/index.m3u8");
        Assert.Contains("#EXT-X-ENDLIST", playlist, StringComparison.Ordinal);

        await using var player = await DvrPlayerPage.OpenAsync(gw, PlayerHtml, output);
        var codecs = player.Codecs;
        var responses = player.Responses;
        var state = await player.PlayAsync(gw.BaseUrl + "/dvr/news/index.m3u8",
            s => codecs ? s.GetProperty("currentTime").GetDouble() >= 9 : s.GetProperty("maxFragStart").GetDouble() >= 8, TimeSpan.FromSeconds(40), output);
        Assert.Equal(JsonValueKind.Null, state.GetProperty("fatal").ValueKind);
        Assert.True(state.GetProperty("duration").GetDouble() is > 11.5 and < 12.5, $"hls.js sees the whole recording: {state}");
        Assert.True(state.GetProperty("seeked").GetBoolean(), $"no seek: {state}");
        // the seek to 8 s loaded the fragment there (not the first ones in order), and playback went on from it
        Assert.True(state.GetProperty("maxFragStart").GetDouble() >= 8, $"no fragment at the seek target: {state}");
        Assert.True(state.GetProperty("frags").GetInt32() < 12, $"hls.js fetched the whole recording instead of seeking: {state}");
        if (codecs)
        {
            Assert.True(state.GetProperty("currentTime").GetDouble() >= 9, $"did not play on from the seek point: {state}");
        }
        Assert.DoesNotContain(responses, r => r.Status >= 400);
        Assert.Contains(responses, r => r.Status == 206 && r.Url.Contains("/dvr/news/", StringComparison.Ordinal));
    }

    private const string PlayerHtml = """
        <!doctype html>
        <html><head><meta charset="utf-8"><title>dvr test</title></head>
        <body>
        <video id="v" muted autoplay playsinline width="640" height="360"></video>
        <script>
          const st = { frags: 0, maxFragStart: -1, fatal: null, seeked: false, duration: 0, errors: [] };
          function start(url) {
            const video = document.getElementById('v');
            const hls = new Hls({ enableWorker: true, startPosition: 0 });
            hls.on(Hls.Events.LEVEL_LOADED, (_, d) => {
              st.duration = d.details.totalduration;
              if (!st.seeked) { st.seeked = true; video.currentTime = 8; video.play().catch(() => {}); }
            });
            hls.on(Hls.Events.FRAG_LOADED, (_, d) => { st.frags++; st.maxFragStart = Math.max(st.maxFragStart, d.frag.start); });
            hls.on(Hls.Events.ERROR, (_, d) => { st.errors.push(d.details); if (d.fatal) { st.fatal = d.details; } });
            hls.loadSource(url);
            hls.attachMedia(video);
          }
          function state() {
            const v = document.getElementById('v');
            return { ...st, currentTime: v.currentTime, readyState: v.readyState };
          }
        </script>
        </body></html>
        """;
}
