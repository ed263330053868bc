using HlsGateway.Recorder.Events;

namespace HlsGateway.Recorder.Uploads;

/// <summary>A part is uploaded and its checksum verified.</summary>
internal sealed class UploadEndEventArgs(string recording, DateTimeOffset timeUtc, int part, string path, string remoteId, string sha256, long bytes, bool localDeleted)
    : RecorderEventArgs(recording, timeUtc)
{
    public override string Type => "upload.end";

    public int Part { get; } = part;

    public string Path { get; } = path;

    public string RemoteId { get; } = remoteId;

    public string Sha256 { get; } = sha256;

    public long Bytes { get; } = bytes;

    public bool LocalDeleted { get; } = localDeleted;
}
