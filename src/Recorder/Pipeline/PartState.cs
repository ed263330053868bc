namespace HlsGateway.Recorder.Pipeline;

/// <summary>Where a part is in its life. Persisted in the sidecar, so names are stable.</summary>
internal enum PartState
{
    /// <summary>Being written; after a crash the sidecar still says so and start-up finishes it.</summary>
    Open,

    /// <summary>Closed, waiting for (or not needing) remux.</summary>
    Closed,

    /// <summary>Remuxed to MP4 and verified by ffprobe.</summary>
    Remuxed,

    /// <summary>Remux or verification failed; the raw file is kept.</summary>
    RemuxFailed,

    /// <summary>Kept raw by configuration (<c>Recorder:Remux=none</c>).</summary>
    Kept,
}
