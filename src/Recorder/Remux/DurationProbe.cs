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
        var start = new ProcessStartInfo(ffprobe)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in (ReadOnlySpan<string>)["-v", "error", "-show_entries", "format=duration", "-of", "default=noprint_wrappers=1:nokey=1", path])
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
            return process.ExitCode == 0 && double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds) ? seconds : null;
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
