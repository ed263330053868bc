namespace HlsGateway.Recorder.Pipeline;

/// <summary>Last step: closes/opens parts as decided upstream and appends the segment (durably).</summary>
internal sealed class WriteRule : ISegmentRule
{
    public async ValueTask RunAsync(SegmentContext context, SegmentDelegate next)
    {
        var session = context.Session;
        if (context.NewPartReason is not null && session.CurrentPart is not null)
        {
            session.ClosePart(context.NewPartReason);
        }
        await session.AppendAsync(context.Segment, context.CancellationToken).ConfigureAwait(false);
        context.Outcome = SegmentOutcome.Written;
        await next(context).ConfigureAwait(false);
    }
}
