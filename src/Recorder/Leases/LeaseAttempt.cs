namespace HlsGateway.Recorder.Leases;

/// <summary>
/// The answer of a lease store: the outcome, who holds the lease (when known), and on acquisition the
/// progress the previous holder left.
/// </summary>
internal readonly record struct LeaseAttempt(LeaseOutcome Outcome, string? Holder, LeaseProgress? Progress = null)
{
    public static LeaseAttempt Unavailable => new(LeaseOutcome.Unavailable, null);
}
