namespace HlsGateway.Recorder.Uploads;

/// <summary>What the upload queue reports to the admin API, /stats, /metrics and /monitor.</summary>
public interface IUploadStatusSource
{
    /// <summary>Every part the journal holds (oldest first).</summary>
    IReadOnlyList<UploadStatus> Snapshot();

    /// <summary>Bytes acknowledged by targets since start (for a counter metric).</summary>
    long BytesUploaded { get; }

    /// <summary>Attempts that failed since start (each retry counts).</summary>
    long Failures { get; }
}
