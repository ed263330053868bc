namespace HlsGateway.Recorder.Leases;

/// <summary>
/// Where recording leases live: one holder per recording name across gateway instances. The memory store
/// is the default (one process: always the holder); with <c>Gateway:Redis</c> the Redis store replaces it.
/// Implementations never throw for an outage: they answer <see cref="LeaseOutcome.Unavailable"/>.
/// </summary>
internal interface IRecordingLeaseStore
{
    /// <summary>Takes the lease when nobody holds it (SET NX PX); on success also returns the previous holder's progress.</summary>
    ValueTask<LeaseAttempt> TryAcquireAsync(string name, string owner, TimeSpan period, CancellationToken cancellationToken);

    /// <summary>Extends the lease when <paramref name="owner"/> still holds it (compare-and-pexpire) and shares <paramref name="progress"/>.</summary>
    ValueTask<LeaseAttempt> RenewAsync(string name, string owner, TimeSpan period, LeaseProgress? progress, CancellationToken cancellationToken);

    /// <summary>Gives the lease up when <paramref name="owner"/> holds it (compare-and-delete), leaving <paramref name="progress"/> for the next holder.</summary>
    ValueTask ReleaseAsync(string name, string owner, LeaseProgress? progress, CancellationToken cancellationToken);
}
