namespace HlsGateway.Monitor.Stats;

/// <summary>
/// One part's upload as /stats and the monitor's uploads table show it. <see cref="State"/> is queued, uploading,
/// done or failed; <see cref="Error"/> is the last failure (the reason, once failed).
/// </summary>
public sealed record UploadRow(
    string Stream,
    int Part,
    string Path,
    string State,
    long Bytes,
    long BytesSent,
    double BytesPerSecond,
    double? EtaSeconds,
    int Attempts,
    string? Error,
    DateTimeOffset EnqueuedAt,
    DateTimeOffset? CompletedAt);
