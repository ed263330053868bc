namespace HlsGateway.Recorder.Leases;

/// <summary>What a lease store said (an outage is a result, not an exception).</summary>
internal enum LeaseOutcome
{
    /// <summary>This instance holds the lease (acquired or renewed).</summary>
    Held,

    /// <summary>Another instance holds it.</summary>
    HeldByOther,

    /// <summary>The store could not be asked (Redis down or slow).</summary>
    Unavailable,
}
