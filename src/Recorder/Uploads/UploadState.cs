namespace HlsGateway.Recorder.Uploads;

/// <summary>Where one part's upload is. Persisted in the upload journal, so names are stable.</summary>
public enum UploadState
{
    Queued,
    Uploading,
    Done,
    Failed,
}
