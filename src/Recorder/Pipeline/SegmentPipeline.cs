namespace HlsGateway.Recorder.Pipeline;

/// <summary>The recorder's rules chained once, in order (like BililiveRecorder's processing pipeline).</summary>
internal sealed class SegmentPipeline
{
    private readonly SegmentDelegate _entry;

    public SegmentPipeline(IReadOnlyList<ISegmentRule> rules)
    {
        SegmentDelegate app = static _ => ValueTask.CompletedTask;
        for (var i = rules.Count - 1; i >= 0; i--)
        {
            var rule = rules[i];
            var next = app;
            app = ctx => rule.RunAsync(ctx, next);
        }
        _entry = app;
    }

    /// <summary>The default order: dedupe, gaps, media boundaries, split, write.</summary>
    public static SegmentPipeline CreateDefault() =>
        new([new DedupeRule(), new GapRule(), new PartBoundaryRule(), new SplitRule(), new WriteRule()]);

    public async ValueTask<SegmentOutcome> ProcessAsync(RecordingSession session, SegmentData segment, CancellationToken cancellationToken)
    {
        var context = new SegmentContext(session, segment, cancellationToken);
        await _entry(context).ConfigureAwait(false);
        return context.Outcome;
    }
}
