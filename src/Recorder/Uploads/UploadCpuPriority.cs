namespace HlsGateway.Recorder.Uploads;

/// <summary>OS scheduling priority of the upload threads (<c>Recorder:Upload:CpuPriority</c>).</summary>
public enum UploadCpuPriority
{
    /// <summary>The same priority as the threads that serve players.</summary>
    Normal,

    /// <summary>Nice 19 on Linux (Lowest elsewhere): a small share of a busy CPU, all of an idle one.</summary>
    Low,

    /// <summary>SCHED_IDLE on Linux (Lowest elsewhere): only CPU time nothing else wants.</summary>
    Idle,
}
