namespace HlsGateway.Monitor.Stats;

/// <summary>
/// One recording as /stats shows it (a snapshot; the recorder fills it in). <see cref="BytesUploaded"/> is what the
/// upload target acknowledged for its parts, <see cref="UploadQueue"/> its parts queued or uploading, and
/// <see cref="Upload"/> the per-state breakdown (null without an uploader).
/// </summary>
public sealed record RecordingStatus(
    string Stream,
    string State,
    DateTimeOffset? StartedAt,
    long SegmentsWritten,
    long Gaps,
    long BytesWritten,
    long BytesUploaded,
    long UploadQueue,
    string? LastError,
    double DurationSeconds = 0,
    int Parts = 0,
    RecordingGap? LastGap = null,
    string? LeaseHolder = null,
    RecordingUploadSummary? Upload = null);
