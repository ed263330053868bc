using System.Diagnostics;
using System.Text;

namespace HlsGateway.Hls.Tests;

/// <summary>
/// Playlists written by ffmpeg's HLS muxer (TS, fMP4 with EXT-X-MAP, a master with var_stream_map), read and
/// rewritten by the model. ffmpeg's muxer writes no LL-HLS (EXT-X-PART); that shape is covered by the rfc8216bis
/// example in <see cref="RfcExamples.LowLatency"/>.
/// </summary>
public sealed class FfmpegPlaylistTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("hls-model-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private async Task<string> RunFfmpegAsync(string outputName, params string[] hlsArgs)
    {
        var args = new List<string>
        {
            "-hide_banner", "-loglevel", "error", "-y",
            "-f", "lavfi", "-i", "testsrc=size=160x90:rate=25", "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000",
            "-t", "4", "-c:v", "libx264", "-preset", "ultrafast", "-g", "25", "-c:a", "aac", "-b:a", "32k",
        };
        args.AddRange(hlsArgs);
        args.Add(Path.Combine(_dir, outputName));
        var psi = new ProcessStartInfo("ffmpeg") { RedirectStandardError = true, WorkingDirectory = _dir };
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }
        using var p = Process.Start(psi)!;
        var stderr = await p.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await p.WaitForExitAsync(cts.Token);
        Assert.True(p.ExitCode == 0, "ffmpeg failed: " + stderr);
        var written = Path.Combine(_dir, outputName);
        return File.Exists(written) ? await File.ReadAllTextAsync(written) : string.Empty; // v%v names are templates
    }

    [Fact]
    public async Task Ts_vod_playlist_from_ffmpeg()
    {
        var text = await RunFfmpegAsync("ts.m3u8", "-f", "hls", "-hls_time", "1", "-hls_playlist_type", "vod", "-hls_segment_filename", Path.Combine(_dir, "ts%03d.ts"));
        var info = PlaylistInspector.Inspect(Encoding.UTF8.GetBytes(text));
        Assert.Equal(PlaylistKind.Media, info.Kind);
        Assert.True(info.IsEndList);
        Assert.Equal(PlaylistType.Vod, info.Type);
        Assert.True(info.SegmentCount >= 3, text);
        var (output, uris) = CollectingMapper.Run(text);
        Assert.Equal(text, output);
        Assert.Equal(info.SegmentCount, uris.Count);
        Assert.All(uris, u => Assert.True(File.Exists(Path.Combine(_dir, u.Uri)), u.Uri));
    }

    [Fact]
    public async Task Fmp4_playlist_from_ffmpeg_has_its_init_section()
    {
        var text = await RunFfmpegAsync("cmaf.m3u8", "-f", "hls", "-hls_time", "1", "-hls_segment_type", "fmp4",
            "-hls_fmp4_init_filename", "init.mp4", "-hls_segment_filename", Path.Combine(_dir, "cmaf%03d.m4s"));
        var (output, uris) = CollectingMapper.Run(text, map: u => "/hls/o/" + u);
        Assert.Contains((HlsTag.Map, "init.mp4"), uris);
        Assert.Contains("#EXT-X-MAP:URI=\"/hls/o/init.mp4\"", output, StringComparison.Ordinal);
        Assert.All(uris, u => Assert.True(File.Exists(Path.Combine(_dir, u.Uri)), u.Uri));
        Assert.Equal(PlaylistKind.Media, PlaylistInspector.Inspect(Encoding.UTF8.GetBytes(text)).Kind);
    }

    [Fact]
    public async Task Master_and_variants_from_ffmpeg_var_stream_map()
    {
        await RunFfmpegAsync("v%v/index.m3u8", "-map", "0:v", "-map", "1:a", "-map", "0:v", "-map", "1:a",
            "-f", "hls", "-hls_time", "1", "-hls_playlist_type", "vod", "-master_pl_name", "master.m3u8",
            "-var_stream_map", "v:0,a:0 v:1,a:1", "-hls_segment_filename", Path.Combine(_dir, "v%v/seg%03d.ts"));
        var master = await File.ReadAllTextAsync(Path.Combine(_dir, "master.m3u8"));
        var info = PlaylistInspector.Inspect(Encoding.UTF8.GetBytes(master));
        Assert.True(info.IsMaster, master);
        var (output, uris) = CollectingMapper.Run(master);
        Assert.Equal(master, output);
        Assert.Equal(["v0/index.m3u8", "v1/index.m3u8"], uris.Select(u => u.Uri));
        foreach (var variant in uris)
        {
            var media = PlaylistInspector.Inspect(File.ReadAllBytes(Path.Combine(_dir, variant.Uri)));
            Assert.True(media.IsEndList);
            Assert.True(media.SegmentCount >= 3);
        }
    }
}
