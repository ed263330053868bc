namespace HlsGateway.Recorder.Events;

/// <summary>A recording was started (config, admin API) or resumed after a restart.</summary>
internal sealed class RecordStartEventArgs(string recording, DateTimeOffset timeUtc, string url, bool resumed) : RecorderEventArgs(recording, timeUtc)
{
    public override string Type => "record.start";

    public string Url { get; } = url;

    public bool Resumed { get; } = resumed;
}
