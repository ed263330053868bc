namespace HlsGateway.Recorder.Pipeline;

/// <summary>
/// Starts a new part where the media itself changes: a discontinuity (EXT-X-DISCONTINUITY /
/// discontinuity sequence), a media-sequence reset (encoder restart, a new epoch), or a new fMP4
/// init section, or a gap just before this segment. Concatenating across those would give players and ffmpeg a broken timeline.
/// </summary>
internal sealed class PartBoundaryRule : ISegmentRule
{
    public ValueTask RunAsync(SegmentContext context, SegmentDelegate next)
    {
        var part = context.Session.CurrentPart;
        var segment = context.Segment;
        var pending = context.Session.PendingPartReason;
        context.Session.PendingPartReason = null;
        if (part is not null && context.NewPartReason is null)
        {
            context.NewPartReason = pending;
        }
        if (part is not null && context.NewPartReason is null)
        {
            if (segment.Key.Epoch != part.Epoch)
            {
                context.NewPartReason = "sequence-reset";
            }
            else if (segment.Discontinuity || segment.Key.Discontinuity != part.Discontinuity)
            {
                context.NewPartReason = "discontinuity";
            }
            else if (!string.Equals(segment.InitUri, part.InitUri, StringComparison.Ordinal))
            {
                context.NewPartReason = "init-changed";
            }
        }
        return next(context);
    }
}
