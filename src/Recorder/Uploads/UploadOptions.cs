namespace HlsGateway.Recorder.Uploads;

/// <summary>The <c>Recorder:Upload</c> configuration section.</summary>
public sealed class UploadOptions
{
    public const string SectionName = "Recorder:Upload";

    /// <summary>Where finished parts are uploaded. Default <see cref="UploadTargetKind.None"/> (off).</summary>
    public UploadTargetKind Target { get; set; }

    /// <summary>Parts uploaded at the same time. Default 2.</summary>
    public int Concurrency { get; set; } = 2;

    /// <summary>Attempts per part before it is marked failed (with the last reason). Default 5.</summary>
    public int MaxAttempts { get; set; } = 5;

    /// <summary>First retry delay; grows exponentially with jitter up to <see cref="MaxRetryDelay"/>. Default 2 s.</summary>
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>Longest retry delay. Default 2 min.</summary>
    public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>
    /// Delete the local file after a verified upload. Also set by <c>Recorder:DeleteAfterUpload</c>. Default false.
    /// </summary>
    public bool DeleteAfterUpload { get; set; }

    /// <summary>Target directory for <see cref="UploadTargetKind.Directory"/> (local or mounted network share).</summary>
    public string? Directory { get; set; }

    /// <summary>Free bytes the directory target keeps after a copy (disk-space guard). Default 64 MiB.</summary>
    public long MinFreeBytes { get; set; } = 64L * 1024 * 1024;

    /// <summary>tus creation endpoint (e.g. <c>http://host/files/</c>) for <see cref="UploadTargetKind.Tus"/>.</summary>
    public string? TusUrl { get; set; }

    /// <summary>
    /// Bytes per tus PATCH. Default 16 MiB. Each PATCH streams from the file (no buffer of this size), and a broken
    /// PATCH loses nothing the server stored: the next attempt resumes from the offset HEAD reports.
    /// </summary>
    public int ChunkSize { get; set; } = 16 * 1024 * 1024;

    /// <summary>
    /// Cap on upload bandwidth in bytes per second, shared by all concurrent uploads and their verification
    /// read-backs (the uplink a recorder may use while it also serves players). Default 0: unlimited.
    /// </summary>
    public long MaxBytesPerSecond { get; set; }

    /// <summary>
    /// Cap on upload bandwidth while the gateway is busy serving players (at least <see cref="BusyRequestsPerSecond"/>
    /// requests in the last second), on top of <see cref="MaxBytesPerSecond"/>: uploads yield to players and run at
    /// full speed when nobody watches. Default 26214400 (25 MiB/s, 200 Mbit/s); 0 = no busy cap.
    /// </summary>
    public long BusyMaxBytesPerSecond { get; set; } = 25L * 1024 * 1024;

    /// <summary>
    /// OS scheduling priority of the upload threads (file reads, hashing, body sends and verification reads):
    /// <see cref="UploadCpuPriority.Idle"/> (default, SCHED_IDLE above the <see cref="MinBytesPerSecond"/> floor),
    /// <see cref="UploadCpuPriority.Low"/> (nice 19, no floor) or <see cref="UploadCpuPriority.Normal"/>.
    /// Players' requests stay on the normal-priority pool either way.
    /// </summary>
    public UploadCpuPriority CpuPriority { get; set; } = UploadCpuPriority.Idle;

    /// <summary>
    /// With <see cref="UploadCpuPriority.Idle"/>: bytes per second of upload work (file reads for sending, hashing,
    /// verification reads) that run at normal priority, so uploads keep moving when players saturate the CPU; work
    /// above it runs only on CPU players leave. Default 8 MiB/s; 0 = none (uploads may stall on a saturated CPU).
    /// </summary>
    public long MinBytesPerSecond { get; set; } = 8L * 1024 * 1024;

    /// <summary>Requests per second (last complete second) from which the gateway counts as busy. Default 50.</summary>
    public int BusyRequestsPerSecond { get; set; } = 50;

    /// <summary>Shortest interval between upload.progress events of one part. Default 1 s.</summary>
    public TimeSpan ProgressInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Done parts the journal remembers (newest kept; older entries are dropped so it stays small). Default 1000.</summary>
    public int KeepDone { get; set; } = 1000;

    public S3UploadOptions S3 { get; set; } = new();
}
