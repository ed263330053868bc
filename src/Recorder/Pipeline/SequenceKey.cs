namespace HlsGateway.Recorder.Pipeline;

/// <summary>
/// Identity of a segment: media sequence within a discontinuity sequence, within an epoch. The epoch is
/// the recorder's own counter, bumped when the origin's media sequence resets (encoder restart), so
/// the restarted stream's low numbers are not mistaken for duplicates.
/// </summary>
internal readonly record struct SequenceKey(long Epoch, long Discontinuity, long Media)
{
    public override string ToString() => $"{Epoch}:{Discontinuity}:{Media}";
}
