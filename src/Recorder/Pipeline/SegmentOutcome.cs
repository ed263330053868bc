namespace HlsGateway.Recorder.Pipeline;

internal enum SegmentOutcome
{
    None,
    Written,
    Duplicate,
    Stale,
    Gap,
}
