namespace HlsGateway.Monitor.Metrics;

/// <summary>Does nothing; for metrics off and unit tests.</summary>
public sealed class NullRecorderMetrics : IRecorderMetrics
{
    public static readonly NullRecorderMetrics Instance = new();

    public void SegmentWritten(long bytes) { }

    public void Gap() { }

    public void Uploaded(long bytes) { }

    public void UploadFailed() { }

    public void UploadQueueLength(long files) { }

    public void ActiveRecordings(long count) { }
}
