using HlsGateway.Recorder.Pipeline;

namespace HlsGateway.Recorder.Events;

/// <summary>A part file is finished (closed, and remuxed or kept raw); <see cref="Part"/> is a copy.</summary>
internal sealed class RecordPartEventArgs(string recording, DateTimeOffset timeUtc, PartInfo part) : RecorderEventArgs(recording, timeUtc)
{
    public override string Type => "record.part";

    public PartInfo Part { get; } = part;
}
