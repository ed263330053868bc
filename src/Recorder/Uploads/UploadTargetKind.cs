namespace HlsGateway.Recorder.Uploads;

/// <summary>Where finished parts go (<c>Recorder:Upload:Target</c>).</summary>
public enum UploadTargetKind
{
    /// <summary>Uploads off: nothing is queued.</summary>
    None,

    /// <summary>A local or network directory (<c>Recorder:Upload:Directory</c>).</summary>
    Directory,

    /// <summary>A tus 1.0 server (<c>Recorder:Upload:TusUrl</c>).</summary>
    Tus,

    /// <summary>S3-compatible object storage (<c>Recorder:Upload:S3:*</c>).</summary>
    S3,
}
