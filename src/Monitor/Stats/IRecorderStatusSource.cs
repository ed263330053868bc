namespace HlsGateway.Monitor.Stats;

/// <summary>The recorder's seam into /stats and the monitor page: one snapshot per recording.</summary>
public interface IRecorderStatusSource
{
    IReadOnlyList<RecordingStatus> GetRecordings();

    /// <summary>Uploads worth watching (running, waiting, failed), bounded; empty without an uploader.</summary>
    IReadOnlyList<UploadRow> GetUploads() => [];
}
