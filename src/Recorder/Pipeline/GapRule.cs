namespace HlsGateway.Recorder.Pipeline;

/// <summary>
/// Keeps the gap ledger: a jump in media sequence (same epoch) records the skipped run, with its
/// duration estimated from the target duration; a segment the source could not get is recorded with
/// its listed duration and reason, and goes no further. Either way the next written segment starts a
/// new part: stream copy keeps timestamps, so a part spanning a gap would have a hole in its timeline.
/// </summary>
internal sealed class GapRule : ISegmentRule
{
    public ValueTask RunAsync(SegmentContext context, SegmentDelegate next)
    {
        var session = context.Session;
        var segment = context.Segment;
        var key = segment.Key;
        var reason = session.PendingGapReason ?? GapReasons.Skipped; // only the first segment after a takeover
        session.PendingGapReason = null;
        if (session.LastKey is { } last && key.Epoch == last.Epoch && key.Media > last.Media + 1)
        {
            var count = key.Media - last.Media - 1;
            var each = segment.TargetDuration > 0 ? segment.TargetDuration : segment.Duration;
            session.RecordGap(key.Epoch, last.Media + 1, key.Media - 1, count * each, reason);
            session.PendingPartReason ??= "gap";
        }
        if (segment.IsMissing)
        {
            session.RecordGap(key.Epoch, key.Media, key.Media, segment.Duration, segment.MissingReason!);
            session.Advance(key);
            session.PendingPartReason ??= "gap";
            context.Outcome = SegmentOutcome.Gap;
            return ValueTask.CompletedTask;
        }
        return next(context);
    }
}
