namespace HlsGateway.Recorder.Events;

/// <summary>
/// A recording was started (config, admin API), resumed after a restart, or taken over from another gateway
/// instance whose lease ran out (<see cref="Takeover"/>); published when this instance starts writing it.
/// </summary>
internal sealed class RecordStartEventArgs(string recording, DateTimeOffset timeUtc, string url, bool resumed) : RecorderEventArgs(recording, timeUtc)
{
    public override string Type => "record.start";

    public string Url { get; } = url;

    public bool Resumed { get; } = resumed;

    /// <summary>True when this instance continues after another instance's progress (its lease expired or was released).</summary>
    public bool Takeover { get; init; }

    /// <summary>The lease holder id of this instance.</summary>
    public string? Instance { get; init; }
}
