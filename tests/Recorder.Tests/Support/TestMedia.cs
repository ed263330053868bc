using HlsGateway.Tests.Common;

namespace HlsGateway.Tests.Support;

/// <summary>
/// Real media made once per test run by ffmpeg: 1-second H.264/AAC segments (MPEG-TS and fMP4)
/// that synthetic origins serve under playlists the tests write, so sequence numbers can be
/// skipped, repeated or reset deterministically.
/// </summary>
internal static class TestMedia
{
    private static readonly SemaphoreSlim Gate = new(1, 1);
    private static (List<byte[]> Ts, byte[] Init, List<byte[]> Fmp4)? _made;

    public static async Task<(List<byte[]> Ts, byte[] Init, List<byte[]> Fmp4)> GetAsync()
    {
        await Gate.WaitAsync();
        try
        {
            if (_made is { } m)
            {
                return m;
            }
            var dir = Directory.CreateTempSubdirectory("rec-media-").FullName;
            await RunFfmpegAsync(dir, ["-hls_segment_filename", Path.Combine(dir, "s%03d.ts"), Path.Combine(dir, "ts.m3u8")]);
            await RunFfmpegAsync(dir, ["-hls_segment_type", "fmp4", "-hls_fmp4_init_filename", "init.mp4", "-hls_segment_filename", Path.Combine(dir, "f%03d.m4s"), Path.Combine(dir, "f.m3u8")]);
            var ts = Directory.GetFiles(dir, "s*.ts").Order(StringComparer.Ordinal).Select(File.ReadAllBytes).ToList();
            var fm = Directory.GetFiles(dir, "f*.m4s").Order(StringComparer.Ordinal).Select(File.ReadAllBytes).ToList();
            var init = File.ReadAllBytes(Path.Combine(dir, "init.mp4"));
            Assert.True(ts.Count >= 20, "ffmpeg made too few ts segments");
            Assert.True(fm.Count >= 20, "ffmpeg made too few fMP4 segments");
            _made = (ts, init, fm);
            return _made.Value;
        }
        finally
        {
            Gate.Release();
        }
    }

    private static (byte[] Init, List<byte[]> Fmp4)? _alt;

    /// <summary>A second fMP4 rendition (320x180, its own init section): what a packager switching EXT-X-MAP serves.</summary>
    public static async Task<(byte[] Init, List<byte[]> Fmp4)> GetAltFmp4Async()
    {
        await Gate.WaitAsync();
        try
        {
            if (_alt is { } a)
            {
                return a;
            }
            var dir = Directory.CreateTempSubdirectory("rec-media-alt-").FullName;
            await RunFfmpegAsync(dir, ["-hls_segment_type", "fmp4", "-hls_fmp4_init_filename", "init.mp4", "-hls_segment_filename", Path.Combine(dir, "f%03d.m4s"), Path.Combine(dir, "f.m3u8")], "320x180", 12);
            var fm = Directory.GetFiles(dir, "f*.m4s").Order(StringComparer.Ordinal).Select(File.ReadAllBytes).ToList();
            _alt = (File.ReadAllBytes(Path.Combine(dir, "init.mp4")), fm);
            return _alt.Value;
        }
        finally
        {
            Gate.Release();
        }
    }

    private static async Task RunFfmpegAsync(string dir, string[] output, string size = "160x90", int seconds = 24)
    {
        string[] args =
        [
            "-hide_banner", "-loglevel", "error", "-y",
            "-f", "lavfi", "-i", $"testsrc=size={size}:rate=25", "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=44100",
            "-t", seconds.ToString(System.Globalization.CultureInfo.InvariantCulture), "-c:v", "libx264", "-preset", "ultrafast", "-g", "25", "-keyint_min", "25", "-sc_threshold", "0",
            "-c:a", "aac", "-b:a", "64k", "-f", "hls", "-hls_time", "1", "-hls_list_size", "0", "-hls_playlist_type", "vod",
            .. output,
        ];
        var (code, log) = await LocalProcess.RunAsync(Tools.Ffmpeg, args, TimeSpan.FromSeconds(120), dir);
        Assert.True(code == 0, "ffmpeg failed: " + log);
    }

    /// <summary>ffprobe's container duration in seconds (throws when the file is not playable).</summary>
    public static async Task<double> ProbeSecondsAsync(string path)
    {
        var (code, output) = await LocalProcess.RunAsync(Tools.Ffprobe,
            ["-v", "error", "-show_entries", "format=duration", "-of", "default=noprint_wrappers=1:nokey=1", path], TimeSpan.FromSeconds(30));
        Assert.True(code == 0, $"ffprobe failed on {path}: {output}");
        return double.Parse(output.Trim().Split('\n')[0], System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>
    /// ffprobe's start time and duration. A raw fMP4 part keeps the source's decode times (tfdt), so ffprobe reports
    /// its duration from 0 to its end; the media it holds is duration - start.
    /// </summary>
    public static async Task<(double Start, double Duration)> ProbeSpanAsync(string path)
    {
        var (code, output) = await LocalProcess.RunAsync(Tools.Ffprobe,
            ["-v", "error", "-show_entries", "format=start_time,duration", "-of", "default=noprint_wrappers=1", path], TimeSpan.FromSeconds(30));
        Assert.True(code == 0, $"ffprobe failed on {path}: {output}");
        var values = output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(l => l.Split('=')).Where(kv => kv.Length == 2).ToDictionary(kv => kv[0], kv => double.Parse(kv[1], System.Globalization.CultureInfo.InvariantCulture));
        return (values["start_time"], values["duration"]);
    }

    /// <summary>Every stream of <paramref name="path"/>: codec type, duration (seconds), language tag, default flag and start (seconds), in stream order.</summary>
    public static async Task<List<(string Type, double Duration, string? Language, bool Default, double Start)>> ProbeStreamsAsync(string path)
    {
        var (code, output) = await LocalProcess.RunAsync(Tools.Ffprobe,
            ["-v", "error", "-show_entries", "stream=codec_type,duration,start_time:stream_tags=language:stream_disposition=default", "-of", "json", path], TimeSpan.FromSeconds(30));
        Assert.True(code == 0, $"ffprobe failed on {path}: {output}");
        using var json = System.Text.Json.JsonDocument.Parse(output);
        var streams = new List<(string, double, string?, bool, double)>();
        foreach (var s in json.RootElement.GetProperty("streams").EnumerateArray())
        {
            var duration = s.TryGetProperty("duration", out var d) ? double.Parse(d.GetString()!, System.Globalization.CultureInfo.InvariantCulture) : double.NaN;
            string? language = s.TryGetProperty("tags", out var tags) && tags.TryGetProperty("language", out var l) ? l.GetString() : null;
            var isDefault = s.TryGetProperty("disposition", out var disp) && disp.TryGetProperty("default", out var def) && def.GetInt32() == 1;
            var start = s.TryGetProperty("start_time", out var st) ? double.Parse(st.GetString()!, System.Globalization.CultureInfo.InvariantCulture) : double.NaN;
            streams.Add((s.GetProperty("codec_type").GetString()!, duration, language, isDefault, start));
        }
        return streams;
    }

    /// <summary>Decodes the whole file (errors fail): proves the MP4 is playable, not just parseable.</summary>
    public static async Task AssertDecodesAsync(string path)
    {
        var (code, output) = await LocalProcess.RunAsync(Tools.Ffmpeg, ["-v", "error", "-xerror", "-i", path, "-f", "null", "-"], TimeSpan.FromSeconds(60));
        Assert.True(code == 0 && output.Trim().Length == 0, $"ffmpeg could not decode {path}: {output}");
    }
}
