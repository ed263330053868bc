namespace HlsGateway.Monitor.Stats;

/// <summary>
/// Upload figures of one recording's parts as /stats shows them: parts per state, bytes acknowledged by the
/// target, bytes still to send, the combined speed of its running uploads and the ETA of that backlog
/// (null while nothing moves).
/// </summary>
public sealed record RecordingUploadSummary(
    int Queued,
    int Uploading,
    int Done,
    int Failed,
    long BytesSent,
    long BytesPending,
    double BytesPerSecond,
    double? EtaSeconds);
