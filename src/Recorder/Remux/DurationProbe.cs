using System.Diagnostics;
using System.Globalization;

namespace HlsGateway.Recorder.Remux;

/// <summary>
/// The one figure the remux check needs (the container's duration) from <c>ffprobe -show_entries format=duration</c>.
/// FFMpegCore's FFProbe.AnalyseAsync parses the full JSON analysis with serializer options it creates per call,
/// so every call emitted and JIT-compiled ~60 new accessor methods: measurable CPU on a busy gateway for each part.
/// </summary>
internal static class DurationProbe
{
    public static async Task<double?> ProbeSecondsAsync(string ffprobe, string path, CancellationToken cancellationToken)
    {
        var (code, text) = await RunAsync(ffprobe, ["-v", "error", "-show_entries", "format=duration", "-of", "default=noprint_wrappers=1:nokey=1", path], cancellationToken).ConfigureAwait(false);
        return code == 0 && double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds) ? seconds : null;
    }

    /// <summary>
    /// The container's start time (seconds on the source's clock: MPEG-TS PTS / 90 kHz, fMP4 decode time) and how many
    /// audio streams it has: what lining up separately recorded renditions needs.
    /// </summary>
    public static async Task<(double? StartSeconds, int AudioStreams)> ProbeStartAsync(string ffprobe, string path, CancellationToken cancellationToken)
    {
        var (code, text) = await RunAsync(ffprobe, ["-v", "error", "-show_entries", "format=start_time:stream=codec_type", "-of", "default=noprint_wrappers=1", path], cancellationToken).ConfigureAwait(false);
        if (code != 0)
        {
            return (null, 0);
        }
        double? start = null;
        var audio = 0;
        foreach (var line in text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (line == "codec_type=audio")
            {
                audio++;
            }
            else if (line.StartsWith("start_time=", StringComparison.Ordinal)
                && double.TryParse(line.AsSpan("start_time=".Length), NumberStyles.Float, CultureInfo.InvariantCulture, out var s))
            {
                start = s;
            }
        }
        return (start, audio);
    }

    private static async Task<(int ExitCode, string Stdout)> RunAsync(string ffprobe, string[] args, CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo(ffprobe)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {ffprobe}");
        try
        {
            var stdout = process.StandardOutput.ReadToEndAsync(cancellationToken);
            var stderr = process.StandardError.ReadToEndAsync(cancellationToken);
            await process.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
            var text = (await stdout.ConfigureAwait(false)).Trim();
            _ = await stderr.ConfigureAwait(false);
            return (process.ExitCode, text);
        }
        catch (OperationCanceledException)
        {
            TryKill(process);
            throw;
        }
    }

    private static void TryKill(Process process)
    {
        try
        {
            process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // already exited
        }
    }
}
