namespace HlsGateway.Recorder.Pipeline;

/// <summary>
/// Splits by duration and size, only at segment boundaries; a split can also be requested from any
/// thread (<see cref="RecordingSession.RequestSplit"/>, an Interlocked flag as in BililiveRecorder's
/// SplitRule) and takes effect at the next segment.
/// </summary>
internal sealed class SplitRule : ISegmentRule
{
    public ValueTask RunAsync(SegmentContext context, SegmentDelegate next)
    {
        var session = context.Session;
        var part = session.CurrentPart;
        if (session.TakeSplitRequest() && part is not null)
        {
            context.NewPartReason ??= "split-requested";
        }
        if (part is not null && part.Segments > 0 && context.NewPartReason is null)
        {
            var segment = context.Segment;
            // time: end the part where its length is closest to SplitSeconds
            if (session.SplitSeconds > 0 && part.DurationSeconds + (segment.Duration / 2) > session.SplitSeconds)
            {
                context.NewPartReason = "split-time";
            }
            else if (session.SplitBytes > 0 && part.Bytes + segment.Body.Length > session.SplitBytes)
            {
                context.NewPartReason = "split-size";
            }
        }
        return next(context);
    }
}
