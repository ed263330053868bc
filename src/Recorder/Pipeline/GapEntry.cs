namespace HlsGateway.Recorder.Pipeline;

/// <summary>
/// A run of media sequences the recording lacks (inclusive), how long it was, and why. <see cref="Rendition"/> is null
/// for the recorded variant (video) and names the EXT-X-MEDIA rendition otherwise (its sequence numbers are its own).
/// </summary>
internal sealed record GapEntry(long Epoch, long From, long To, double DurationSeconds, string Reason, DateTimeOffset AtUtc, string? Rendition = null)
{
    public long Count => To - From + 1;
}
