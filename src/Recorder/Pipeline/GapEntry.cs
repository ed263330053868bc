namespace HlsGateway.Recorder.Pipeline;

/// <summary>A run of media sequences the recording lacks (inclusive), how long it was, and why.</summary>
internal sealed record GapEntry(long Epoch, long From, long To, double DurationSeconds, string Reason, DateTimeOffset AtUtc)
{
    public long Count => To - From + 1;
}
