namespace HlsGateway.Recorder.Sources;

/// <summary>Liveness signals from the follower to the lifecycle.</summary>
internal interface IFollowerObserver
{
    /// <summary>A new segment arrived (after start, a stall or an outage).</summary>
    void Live();

    /// <summary>No new segment for StallTargetDurations target durations.</summary>
    void Stalled(TimeSpan since);

    /// <summary>Playlist loaded but unusable or a non-fatal problem (logged, counted).</summary>
    void Problem(string what);
}
