namespace HlsGateway.Recorder.Events;

/// <summary>The recording stopped (<c>stopped</c> by request/shutdown, or <c>ended</c> with the stream).</summary>
internal sealed class RecordEndEventArgs(string recording, DateTimeOffset timeUtc, string reason, long segments, long bytes) : RecorderEventArgs(recording, timeUtc)
{
    public override string Type => "record.end";

    public string Reason { get; } = reason;

    public long Segments { get; } = segments;

    public long Bytes { get; } = bytes;
}
