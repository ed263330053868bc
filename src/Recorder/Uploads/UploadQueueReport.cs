namespace HlsGateway.Recorder.Uploads;

/// <summary>
/// <c>GET /admin/recordings/uploads</c>: the whole upload journal (failed parts with their reason included),
/// its summary and the process-wide counters behind the metrics.
/// </summary>
internal sealed record UploadQueueReport(
    string Target,
    bool Paused,
    long BytesUploaded,
    long Failures,
    UploadSummary Summary,
    IReadOnlyList<UploadStatus> Items);
