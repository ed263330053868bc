namespace HlsGateway.Monitor.Metrics;

/// <summary>
/// What the recorder reports (the recorder implements recording; the monitor publishes the
/// figures). Implementations must be cheap, thread-safe and must never throw.
/// </summary>
public interface IRecorderMetrics
{
    /// <summary>A recording wrote one segment of <paramref name="bytes"/> bytes.</summary>
    void SegmentWritten(long bytes);

    /// <summary>A recording noticed a gap (missed media sequence numbers or a discontinuity it could not fill).</summary>
    void Gap();

    /// <summary>An upload of <paramref name="bytes"/> bytes finished.</summary>
    void Uploaded(long bytes);

    /// <summary>An upload failed (it may be retried).</summary>
    void UploadFailed();

    /// <summary>Files waiting to be uploaded.</summary>
    void UploadQueueLength(long files);

    /// <summary>Recordings currently running.</summary>
    void ActiveRecordings(long count);
}
