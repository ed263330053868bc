namespace HlsGateway.Recorder.Events;

/// <summary>Something failed (write, remux, recovery); <see cref="Stage"/> says where.</summary>
internal sealed class RecorderErrorEventArgs(string recording, DateTimeOffset timeUtc, string stage, string message) : RecorderEventArgs(recording, timeUtc)
{
    public override string Type => "error";

    public string Stage { get; } = stage;

    public string Message { get; } = message;
}
