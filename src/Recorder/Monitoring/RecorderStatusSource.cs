using HlsGateway.Monitor.Stats;
using HlsGateway.Recorder.Lifecycle;
using HlsGateway.Recorder.Uploads;

namespace HlsGateway.Recorder.Monitoring;

/// <summary>
/// The recorder's figures for /stats and the monitor page: one row per recording known to this instance (with its
/// upload summary), and the uploads worth watching: running first, then failed (newest first), then waiting
/// (next to go first), at most <see cref="MaxUploadRows"/>.
/// </summary>
internal sealed class RecorderStatusSource(RecordingManager manager, IUploadStatusSource uploads) : IRecorderStatusSource
{
    public const int MaxUploadRows = 50;

    public IReadOnlyList<Monitor.Stats.RecordingStatus> GetRecordings()
    {
        var recordings = manager.List();
        var rows = new Monitor.Stats.RecordingStatus[recordings.Count];
        for (var i = 0; i < rows.Length; i++)
        {
            var r = recordings[i];
            var last = r.Gaps.Count > 0 ? r.Gaps[^1] : null;
            var u = r.Upload ?? UploadSummary.Empty;
            rows[i] = new Monitor.Stats.RecordingStatus(
                r.Name,
                StateName(r.State),
                r.StartedUtc,
                r.Segments,
                r.GapCount,
                r.Bytes,
                u.BytesSent,
                u.Pending,
                r.LastError,
                Math.Round(r.DurationSeconds, 3),
                r.Parts.Count,
                last is null ? null : new RecordingGap(last.From, last.To, Math.Round(last.DurationSeconds, 3), last.Reason, last.AtUtc),
                r.LeaseHolder,
                new RecordingUploadSummary(u.Queued, u.Uploading, u.Done, u.Failed, u.BytesSent, u.BytesPending, u.BytesPerSecond, u.EtaSeconds));
        }
        return rows;
    }

    public IReadOnlyList<UploadRow> GetUploads() => uploads.Snapshot()
        .Where(u => u.State != UploadState.Done)
        .OrderBy(u => u.State switch { UploadState.Uploading => 0, UploadState.Failed => 1, _ => 2 })
        .ThenBy(u => u.State == UploadState.Failed ? -(u.CompletedUtc ?? u.EnqueuedUtc).UtcTicks : u.EnqueuedUtc.UtcTicks)
        .Take(MaxUploadRows)
        .Select(u => new UploadRow(u.Recording, u.Part, u.Path, StateName(u.State), u.Bytes, u.BytesSent, Math.Round(u.BytesPerSecond, 1),
            u.EtaSeconds is { } eta ? Math.Round(eta, 1) : null, u.Attempts, u.Error, u.EnqueuedUtc, u.CompletedUtc))
        .ToList();

    /// <summary>Lower-case names, as in the admin API's JSON.</summary>
    public static string StateName(RecordingState state) => state switch
    {
        RecordingState.Idle => "idle",
        RecordingState.Standby => "standby",
        RecordingState.Checking => "checking",
        RecordingState.Recording => "recording",
        RecordingState.Uploading => "uploading",
        RecordingState.Paused => "paused",
        _ => "stopped",
    };

    /// <summary>Lower-case names, as in the admin API's and the journal's JSON.</summary>
    public static string StateName(UploadState state) => state switch
    {
        UploadState.Queued => "queued",
        UploadState.Uploading => "uploading",
        UploadState.Done => "done",
        _ => "failed",
    };
}
