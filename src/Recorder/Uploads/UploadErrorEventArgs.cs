using HlsGateway.Recorder.Events;

namespace HlsGateway.Recorder.Uploads;

/// <summary>An attempt failed; <see cref="Final"/> when the part went to the failed state (no more retries).</summary>
internal sealed class UploadErrorEventArgs(string recording, DateTimeOffset timeUtc, int part, string path, int attempt, string message, bool final)
    : RecorderEventArgs(recording, timeUtc)
{
    public override string Type => "upload.error";

    public int Part { get; } = part;

    public string Path { get; } = path;

    public int Attempt { get; } = attempt;

    public string Message { get; } = message;

    public bool Final { get; } = final;
}
