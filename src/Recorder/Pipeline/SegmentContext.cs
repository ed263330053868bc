namespace HlsGateway.Recorder.Pipeline;

/// <summary>One segment travelling through the rules, plus the decisions rules take about it.</summary>
internal sealed class SegmentContext(RecordingSession session, SegmentData segment, CancellationToken cancellationToken)
{
    public RecordingSession Session { get; } = session;

    public SegmentData Segment { get; } = segment;

    public CancellationToken CancellationToken { get; } = cancellationToken;

    /// <summary>Set by a rule that wants the segment to start a new part (first reason wins).</summary>
    public string? NewPartReason { get; set; }

    /// <summary>What happened to the segment (for counters and tests).</summary>
    public SegmentOutcome Outcome { get; set; }
}
