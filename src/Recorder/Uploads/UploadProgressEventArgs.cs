using HlsGateway.Recorder.Events;

namespace HlsGateway.Recorder.Uploads;

/// <summary>Bytes acknowledged so far (throttled to <c>Recorder:Upload:ProgressInterval</c>).</summary>
internal sealed class UploadProgressEventArgs(string recording, DateTimeOffset timeUtc, int part, string path, long bytes, long bytesSent, double bytesPerSecond, double? etaSeconds)
    : RecorderEventArgs(recording, timeUtc)
{
    public override string Type => "upload.progress";

    public int Part { get; } = part;

    public string Path { get; } = path;

    public long Bytes { get; } = bytes;

    public long BytesSent { get; } = bytesSent;

    public double BytesPerSecond { get; } = bytesPerSecond;

    public double? EtaSeconds { get; } = etaSeconds;
}
