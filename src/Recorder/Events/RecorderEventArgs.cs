namespace HlsGateway.Recorder.Events;

/// <summary>
/// Base of every recorder event: an immutable snapshot (never a live object), so subscribers and
/// webhooks on other threads see what was true when it happened.
/// </summary>
internal abstract class RecorderEventArgs(string recording, DateTimeOffset timeUtc) : EventArgs
{
    /// <summary>Stable wire name (stream.start, record.part, ...).</summary>
    public abstract string Type { get; }

    public Guid Id { get; } = Guid.NewGuid();

    public DateTimeOffset TimeUtc { get; } = timeUtc;

    public string Recording { get; } = recording;
}
