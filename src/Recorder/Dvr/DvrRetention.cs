using HlsGateway.Recorder.Configuration;
using HlsGateway.Recorder.Pipeline;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace HlsGateway.Recorder.Dvr;

/// <summary>
/// With <c>Recorder:Dvr:RetentionWindow</c> set, the remux keeps raw part files; this sweep deletes the raw file of a
/// part that has a verified MP4 once the part has been closed for longer than the window (the DVR playlist then starts
/// after it). Parts without a verified MP4 (kept raw, remux failed) are never deleted here. Runs every
/// min(window / 4, 1 min); reads the sidecars on disk, writes nothing but deletions.
/// </summary>
internal sealed partial class DvrRetention(IOptions<RecorderOptions> options, TimeProvider time, ILogger<DvrRetention> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var window = options.Value.Dvr.RetentionWindow;
        if (window <= TimeSpan.Zero)
        {
            return;
        }
        var period = TimeSpan.FromTicks(Math.Clamp(window.Ticks / 4, TimeSpan.FromSeconds(1).Ticks, TimeSpan.FromMinutes(1).Ticks));
        using var timer = new PeriodicTimer(period, time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
            {
                Sweep();
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    /// <summary>One pass over every recording's sidecar; returns how many raw files were deleted.</summary>
    internal int Sweep()
    {
        var root = Path.GetFullPath(options.Value.OutputDirectory);
        var cutoff = time.GetUtcNow() - options.Value.Dvr.RetentionWindow;
        var deleted = 0;
        foreach (var name in RecordingJournal.ExistingNames(root))
        {
            var journal = RecordingJournal.LoadOrCreate(root, name, string.Empty);
            foreach (var part in journal.Parts)
            {
                if (part.State == PartState.Remuxed && part.EndUtc is { } end && end < cutoff
                    && Storage.OutputPathGuard.TryResolve(root, part.RawPath, out var raw) && File.Exists(raw))
                {
                    try
                    {
                        File.Delete(raw);
                        Remux.PartFinisher.DeleteTrackFiles(root, part.Tracks); // the renditions' raw files are in the MP4 / sidecars
                        deleted++;
                        Log.Expired(logger, name, part.Number);
                    }
                    catch (IOException ex)
                    {
                        Log.DeleteFailed(logger, name, part.Number, ex.Message);
                    }
                    catch (UnauthorizedAccessException ex)
                    {
                        Log.DeleteFailed(logger, name, part.Number, ex.Message);
                    }
                }
            }
        }
        return deleted;
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 7500, EventName = "DvrRawExpired", Level = LogLevel.Debug, Message = "DVR: raw segments of part {Part} of {Recording} passed the retention window and were deleted (the MP4 stays).")]
        public static partial void Expired(ILogger logger, string recording, int part);

        [LoggerMessage(EventId = 7501, EventName = "DvrRawDeleteFailed", Level = LogLevel.Warning, Message = "DVR: could not delete the raw segments of part {Part} of {Recording}: {Error}")]
        public static partial void DeleteFailed(ILogger logger, string recording, int part, string error);
    }
}
