namespace HlsGateway.Recorder.Pipeline;

/// <summary>
/// Drops segments already recorded, by (epoch, discontinuity, media sequence), never by URI (URIs may
/// repeat or change with tokens). Also drops anything older than the last recorded sequence: once a
/// gap is in the ledger, a late segment cannot be inserted into an already written file.
/// </summary>
internal sealed class DedupeRule : ISegmentRule
{
    public ValueTask RunAsync(SegmentContext context, SegmentDelegate next)
    {
        var session = context.Session;
        var key = context.Segment.Key;
        if (session.History.Contains(key))
        {
            context.Outcome = SegmentOutcome.Duplicate;
            session.Duplicates++;
            return ValueTask.CompletedTask;
        }
        if (session.LastKey is { } last && (key.Epoch < last.Epoch || (key.Epoch == last.Epoch && key.Media <= last.Media)))
        {
            context.Outcome = SegmentOutcome.Stale;
            session.Duplicates++;
            return ValueTask.CompletedTask;
        }
        return next(context); // the key enters the history once written or ledgered, so a failed write is retried

    }
}
