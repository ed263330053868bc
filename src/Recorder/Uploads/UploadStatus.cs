namespace HlsGateway.Recorder.Uploads;

/// <summary>A snapshot of one part's upload for the API, /stats and the monitor.</summary>
public sealed record UploadStatus(
    string Recording,
    int Part,
    string Path,
    UploadState State,
    long Bytes,
    long BytesSent,
    double BytesPerSecond,
    double? EtaSeconds,
    int Attempts,
    string? RemoteId,
    string? Error,
    DateTimeOffset EnqueuedUtc,
    DateTimeOffset? CompletedUtc);
