namespace HlsGateway.Recorder.Events;

/// <summary>The stream is live: a new segment arrived after start, an outage or a stall.</summary>
internal sealed class StreamStartEventArgs(string recording, DateTimeOffset timeUtc, string? mediaPlaylistUrl) : RecorderEventArgs(recording, timeUtc)
{
    public override string Type => "stream.start";

    public string? MediaPlaylistUrl { get; } = mediaPlaylistUrl;
}
