namespace HlsGateway.Recorder.Lifecycle;

/// <summary>The scheduler states of a recording.</summary>
internal enum RecordingState
{
    Idle,

    /// <summary>Another gateway instance holds the recording's lease (or the lease store is unreachable); this one takes over when it runs out.</summary>
    Standby,

    /// <summary>Waiting for the stream (offline, stalled, or not yet loaded); retried with backoff.</summary>
    Checking,

    Recording,

    /// <summary>
    /// The stream ended or the recording was stopped, but parts are still on their way to the upload target
    /// (queued, uploading, or closed and waiting for remux). Reported, never set: see <see cref="RecordingManager"/>.
    /// </summary>
    Uploading,

    /// <summary>Writing failed (disk full, unwritable directory); retried with backoff.</summary>
    Paused,

    Stopped,
}
