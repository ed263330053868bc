using System.Text.Json;
using HlsGateway.Recorder.Lifecycle;
using HlsGateway.Tests.Common;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;

namespace HlsGateway.Tests.Dvr;

/// <summary>
/// hls.js (vendored, Player/assets) in headless chromium plays back a recording of a demuxed source (a video-only
/// variant and an English EXT-X-MEDIA audio rendition, ffmpeg-made, served from disk) through the DVR master playlist
/// <c>/dvr/&lt;recording&gt;/index.m3u8</c>: it sees the audio track, loads audio fragments from the track file and plays on.
/// </summary>
public sealed class DvrHlsJsAudioTests(ITestOutputHelper output) : IAsyncLifetime
{
    private readonly string _media = Directory.CreateTempSubdirectory("dvr-demuxed-").FullName;
    private readonly string _out = Directory.CreateTempSubdirectory("dvr-demuxed-out-").FullName;

    public async Task InitializeAsync()
    {
        var (code, log) = await LocalProcess.RunAsync(Tools.Ffmpeg,
        [
            "-hide_banner", "-loglevel", "error", "-y", "-f", "lavfi", "-i", "testsrc=size=320x180:rate=25", "-f", "lavfi", "-i", "sine=sample_rate=48000",
            "-t", "10", "-map", "0:v", "-map", "1:a",
            "-c:v", "libx264", "-preset", "ultrafast", "-profile:v", "main", "-pix_fmt", "yuv420p", "-g", "25", "-keyint_min", "25", "-sc_threshold", "0",
            "-c:a", "aac", "-ac", "2", "-f", "hls", "-hls_time", "1", "-hls_list_size", "0", "-hls_playlist_type", "vod", "-master_pl_name", "master.m3u8",
            "-var_stream_map", "v:0,agroup:aud,name:video a:0,agroup:aud,language:eng,name:eng,default:yes",
            "-hls_segment_filename", Path.Combine(_media, "%v", "s%03d.ts"), Path.Combine(_media, "%v", "index.m3u8"),
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
    public async Task HlsJs_plays_a_demuxed_recording_with_its_audio_track_from_the_dvr_master()
    {
        await using var origin = await DirectoryOrigin.StartAsync(_media);
        await using var gw = await DvrPlayerPage.StartRecordedAsync(origin.BaseUrl, _out, "/master.m3u8");
        var manager = gw.Services.GetRequiredService<RecordingManager>();
        Assert.All(manager.Get("news")!.Parts, p => Assert.Contains(p.Tracks, t => t.Id == "audio-eng"));
        var master = await gw.Client.GetStringAsync("/dvr/news/index.m3u8");
        output.WriteLine(master);
        Assert.Contains("URI=\"audio-eng.m3u8\"", master, StringComparison.Ordinal);

        await using var player = await DvrPlayerPage.OpenAsync(gw, PlayerHtml, output);
        var codecs = player.Codecs;
        var responses = player.Responses;
        var state = await player.PlayAsync(gw.BaseUrl + "/dvr/news/index.m3u8",
            s => codecs ? s.GetProperty("currentTime").GetDouble() >= 4 : s.GetProperty("audioFrags").GetInt32() >= 3, TimeSpan.FromSeconds(40), output);
        Assert.Equal(JsonValueKind.Null, state.GetProperty("fatal").ValueKind);
        Assert.Equal(1, state.GetProperty("audioTracks").GetInt32());
        Assert.Equal("eng", state.GetProperty("audioLang").GetString());
        Assert.True(state.GetProperty("audioFrags").GetInt32() >= 3, $"no audio fragments: {state}");
        Assert.Contains(responses, r => r.Status == 206 && r.Url.Contains(".audio-eng.ts", StringComparison.Ordinal));
        if (codecs)
        {
            Assert.True(state.GetProperty("currentTime").GetDouble() >= 4, $"did not play on: {state}");
            Assert.True(state.GetProperty("audioBuffered").GetDouble() >= 3, $"no audio buffered: {state}");
        }
        Assert.DoesNotContain(responses, r => r.Status >= 400);
    }

    private const string PlayerHtml = """
        <!doctype html>
        <html><head><meta charset="utf-8"><title>dvr audio test</title></head>
        <body>
        <video id="v" muted autoplay playsinline width="640" height="360"></video>
        <script>
          const st = { audioTracks: 0, audioLang: null, audioFrags: 0, videoFrags: 0, fatal: null, errors: [], audioBuffered: 0 };
          let hls;
          function start(url) {
            const video = document.getElementById('v');
            hls = new Hls({ enableWorker: true, startPosition: 0 });
            hls.on(Hls.Events.AUDIO_TRACKS_UPDATED, (_, d) => { st.audioTracks = d.audioTracks.length; st.audioLang = d.audioTracks.length ? d.audioTracks[0].lang : null; });
            hls.on(Hls.Events.FRAG_LOADED, (_, d) => { if (d.frag.type === 'audio') { st.audioFrags++; } else if (d.frag.type === 'main') { st.videoFrags++; } });
            hls.on(Hls.Events.BUFFER_APPENDED, (_, d) => {
              if (d.type === 'audio' && d.timeRanges && d.timeRanges.audio && d.timeRanges.audio.length) {
                const r = d.timeRanges.audio; st.audioBuffered = r.end(r.length - 1) - r.start(0);
              }
            });
            hls.on(Hls.Events.MANIFEST_PARSED, () => video.play().catch(() => {}));
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
