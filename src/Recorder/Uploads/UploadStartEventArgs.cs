using HlsGateway.Recorder.Events;

namespace HlsGateway.Recorder.Uploads;

/// <summary>An attempt to upload a part begins (also after a restart or retry: <see cref="Attempt"/> says which).</summary>
internal sealed class UploadStartEventArgs(string recording, DateTimeOffset timeUtc, int part, string path, string target, long bytes, long resumeFrom, int attempt)
    : RecorderEventArgs(recording, timeUtc)
{
    public override string Type => "upload.start";

    public int Part { get; } = part;

    public string Path { get; } = path;

    public string Target { get; } = target;

    public long Bytes { get; } = bytes;

    /// <summary>Bytes the target already had from an earlier attempt.</summary>
    public long ResumeFrom { get; } = resumeFrom;

    public int Attempt { get; } = attempt;
}
