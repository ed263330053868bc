namespace HlsGateway.Monitor.Stats;

/// <summary>One recording as /stats shows it (a snapshot; the recorder fills it in).</summary>
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
    string? LeaseHolder = null);
