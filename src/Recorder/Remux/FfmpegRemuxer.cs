using FFMpegCore;
using HlsGateway.Recorder.Configuration;
using Microsoft.Extensions.Options;

namespace HlsGateway.Recorder.Remux;

/// <summary>
/// Stream-copy remux (no re-encode) to MP4 with +faststart through FFMpegCore, then an ffprobe
/// duration check (<see cref="DurationProbe"/>); both run at <c>Recorder:FfmpegNice</c>. ffmpeg writes to <c>*.mp4.partial</c> and only a verified file is renamed to
/// <c>.mp4</c>, so an MP4 without its moov box never appears under the final name.
/// </summary>
internal sealed class FfmpegRemuxer(IOptions<RecorderOptions> options) : IPartRemuxer
{
    public const string PartialSuffix = ".mp4.partial";

    private readonly FFOptions _ff = new()
    {
        BinaryFolder = options.Value.FfmpegDirectory ?? string.Empty,
        TemporaryFilesFolder = Path.GetTempPath(),
    };

    private readonly int _nice = options.Value.FfmpegNice;

    private readonly string _ffprobe = string.IsNullOrEmpty(options.Value.FfmpegDirectory) ? "ffprobe" : Path.Combine(options.Value.FfmpegDirectory, "ffprobe");

    public async Task<RemuxResult> RemuxAsync(string rawFullPath, double expectedSeconds, CancellationToken cancellationToken)
    {
        var final = Path.ChangeExtension(rawFullPath, ".mp4");
        var partial = Path.ChangeExtension(rawFullPath, null) + PartialSuffix;
        try
        {
            var result = await NicedStart.RunAsync(_nice, () => FFMpegArguments
                .FromFileInput(rawFullPath)
                .OutputToFile(partial, overwrite: true, o => o.WithCustomArgument("-c copy").WithFastStart().ForceFormat("mp4"))
                .CancellableThrough(cancellationToken)
                .ProcessAsynchronously(throwOnError: false, _ff))
                .ConfigureAwait(false);
            if (result.Cancelled || cancellationToken.IsCancellationRequested)
            {
                // shutdown: not a failure; the part stays "closed" and is finished at the next start
                TryDelete(partial);
                cancellationToken.ThrowIfCancellationRequested();
                throw new OperationCanceledException("ffmpeg was cancelled");
            }
            if (!result.Success || !File.Exists(partial))
            {
                TryDelete(partial);
                var detail = result.StandardError.Count > 0 ? result.StandardError[^1] : "no output";
                return new RemuxResult(false, null, null, $"ffmpeg remux failed (exit {result.ExitCode}): {detail}");
            }
            var seconds = await NicedStart.RunAsync(_nice, () => DurationProbe.ProbeSecondsAsync(_ffprobe, partial, cancellationToken)).ConfigureAwait(false) ?? 0;
            // stream copy keeps timestamps, so the MP4 must last what the playlist said, give or take a segment's rounding
            var tolerance = Math.Max(1.5, expectedSeconds * 0.05);
            if (seconds <= 0 || Math.Abs(seconds - expectedSeconds) > tolerance)
            {
                TryDelete(partial);
                return new RemuxResult(false, null, seconds, $"ffprobe duration {seconds:0.###} s does not match the expected {expectedSeconds:0.###} s");
            }
            using (var fs = new FileStream(partial, FileMode.Open, FileAccess.ReadWrite))
            {
                fs.Flush(flushToDisk: true);
            }
            File.Move(partial, final, overwrite: true);
            return new RemuxResult(true, final, seconds, null);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            TryDelete(partial);
            throw;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // FFMpegCore throws its own exception types for a missing binary or unreadable probe output
            TryDelete(partial);
            return new RemuxResult(false, null, null, ex.GetType().Name + ": " + ex.Message);
        }
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
