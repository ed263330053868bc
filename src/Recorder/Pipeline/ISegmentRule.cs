namespace HlsGateway.Recorder.Pipeline;

internal delegate ValueTask SegmentDelegate(SegmentContext context);

/// <summary>One small ordered step of the recorder; calls <c>next</c> to pass the segment on, or returns to drop it.</summary>
internal interface ISegmentRule
{
    ValueTask RunAsync(SegmentContext context, SegmentDelegate next);
}
