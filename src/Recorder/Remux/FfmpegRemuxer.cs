using FFMpegCore;
using HlsGateway.Recorder.Configuration;
using Microsoft.Extensions.Options;

namespace HlsGateway.Recorder.Remux;

/// <summary>
/// Stream-copy remux (no re-encode) to MP4 with +faststart through FFMpegCore, then an ffprobe
/// duration check (<see cref="DurationProbe"/>); both run at <c>Recorder:FfmpegNice</c>. ffmpeg writes to <c>*.mp4.partial</c> and only a verified file is renamed to
/// <c>.mp4</c>, so an MP4 without its moov box never appears under the final name. Demuxed audio renditions are
/// extra inputs (<c>-map</c> per input, <c>-metadata:s:a:N language=</c> kept), each shifted by <c>-itsoffset</c>
/// by its start minus the video's start (ffprobe), because ffmpeg otherwise starts every input at zero and
/// an audio file beginning a few frames after the video would drift out of sync by that much.
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

    public Task<RemuxResult> RemuxAsync(string rawFullPath, double expectedSeconds, CancellationToken cancellationToken) =>
        RemuxAsync(rawFullPath, [], expectedSeconds, cancellationToken);

    public async Task<RemuxResult> RemuxAsync(string rawFullPath, IReadOnlyList<RemuxTrack> audioTracks, double expectedSeconds, CancellationToken cancellationToken)
    {
        var final = Path.ChangeExtension(rawFullPath, ".mp4");
        var partial = Path.ChangeExtension(rawFullPath, null) + PartialSuffix;
        try
        {
            var arguments = FFMpegArguments.FromFileInput(rawFullPath);
            var output = "-c copy";
            if (audioTracks.Count > 0)
            {
                var (videoStart, ownAudio) = await NicedStart.RunAsync(_nice, () => DurationProbe.ProbeStartAsync(_ffprobe, rawFullPath, cancellationToken)).ConfigureAwait(false);
                var map = new System.Text.StringBuilder("-map 0:v -map 0:a?");
                var metadata = new System.Text.StringBuilder();
                for (var i = 0; i < audioTracks.Count; i++)
                {
                    var track = audioTracks[i];
                    var (start, _) = await NicedStart.RunAsync(_nice, () => DurationProbe.ProbeStartAsync(_ffprobe, track.FullPath, cancellationToken)).ConfigureAwait(false);
                    var offset = videoStart is { } v && start is { } a ? a - v : 0;
                    arguments = arguments.AddFileInput(track.FullPath, verifyExists: true,
                        o => o.WithCustomArgument(FormattableString.Invariant($"-itsoffset {offset:0.######}")));
                    map.Append(FormattableString.Invariant($" -map {i + 1}:a"));
                    var index = ownAudio + i;
                    if (LanguageTag(track.Language) is { } language)
                    {
                        metadata.Append(FormattableString.Invariant($" -metadata:s:a:{index} language={language}"));
                    }
                    // the HLS DEFAULT=YES rendition is the one players pick; the others stay selectable
                    metadata.Append(FormattableString.Invariant($" -disposition:a:{index} {(track.IsDefault ? "default" : "0")}"));
                }
                output = map + metadata.ToString() + " -c copy";
            }
            var result = await NicedStart.RunAsync(_nice, () => arguments
                .OutputToFile(partial, overwrite: true, o => o.WithCustomArgument(output).WithFastStart().ForceFormat("mp4"))
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

    /// <summary>
    /// The primary subtag of a BCP 47 LANGUAGE (<c>en-US</c> → <c>en</c>); ffmpeg's MP4 muxer maps ISO 639-1/2 codes to
    /// the ISO 639-2 code MP4 stores. Null for anything that is not 2-3 letters (nothing is passed to the command line).
    /// </summary>
    internal static string? LanguageTag(string? language)
    {
        if (string.IsNullOrEmpty(language))
        {
            return null;
        }
        var dash = language.IndexOf('-');
        var primary = (dash < 0 ? language : language[..dash]).ToLowerInvariant();
        return primary.Length is 2 or 3 && primary.All(c => c is >= 'a' and <= 'z') ? primary : null;
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
