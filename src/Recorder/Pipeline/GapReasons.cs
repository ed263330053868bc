namespace HlsGateway.Recorder.Pipeline;

/// <summary>Why a gap ledger entry exists (stable strings: they appear in the sidecar, events and /stats).</summary>
internal static class GapReasons
{
    /// <summary>The playlist window moved past sequences the recorder never saw (recorder too slow, offline, or the origin skipped them).</summary>
    public const string Skipped = "skipped";

    /// <summary>The segment was listed but the origin answered 404.</summary>
    public const string NotFound = "not-found";

    /// <summary>The segment was listed but every fetch attempt failed.</summary>
    public const string FetchFailed = "fetch-failed";

    /// <summary>A rendition segment listed only after the part its time belongs to was closed (it cannot go into a finished part).</summary>
    public const string Late = "late";

    /// <summary>Sequences between what the previous lease holder recorded and where this instance could start after taking over.</summary>
    public const string Takeover = "takeover";
}
