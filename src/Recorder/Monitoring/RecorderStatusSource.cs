using HlsGateway.Monitor.Stats;
using HlsGateway.Recorder.Lifecycle;

namespace HlsGateway.Recorder.Monitoring;

/// <summary>The recorder's figures for /stats and the monitor page: one row per recording known to this instance.</summary>
internal sealed class RecorderStatusSource(RecordingManager manager) : IRecorderStatusSource
{
    public IReadOnlyList<Monitor.Stats.RecordingStatus> GetRecordings()
    {
        var recordings = manager.List();
        var rows = new Monitor.Stats.RecordingStatus[recordings.Count];
        for (var i = 0; i < rows.Length; i++)
        {
            var r = recordings[i];
            var last = r.Gaps.Count > 0 ? r.Gaps[^1] : null;
            rows[i] = new Monitor.Stats.RecordingStatus(
                r.Name,
                StateName(r.State),
                r.StartedUtc,
                r.Segments,
                r.GapCount,
                r.Bytes,
                BytesUploaded: 0, // no uploader yet
                UploadQueue: 0,
                r.LastError,
                Math.Round(r.DurationSeconds, 3),
                r.Parts.Count,
                last is null ? null : new RecordingGap(last.From, last.To, Math.Round(last.DurationSeconds, 3), last.Reason, last.AtUtc),
                r.LeaseHolder);
        }
        return rows;
    }

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
}
