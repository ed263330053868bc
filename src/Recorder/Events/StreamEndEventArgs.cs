namespace HlsGateway.Recorder.Events;

/// <summary>The stream stopped delivering: <c>ended</c> (EXT-X-ENDLIST), <c>offline</c> or <c>stalled</c>.</summary>
internal sealed class StreamEndEventArgs(string recording, DateTimeOffset timeUtc, string reason) : RecorderEventArgs(recording, timeUtc)
{
    public override string Type => "stream.end";

    public string Reason { get; } = reason;
}
