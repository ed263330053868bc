namespace HlsGateway.Recorder.Uploads;

/// <summary>The <c>Recorder:Upload:S3</c> section. Credentials come only from configuration / environment and are never logged.</summary>
public sealed class S3UploadOptions
{
    /// <summary>Endpoint of an S3-compatible service (e.g. <c>http://127.0.0.1:9000</c>). Empty: AWS by <see cref="Region"/>.</summary>
    public string? ServiceUrl { get; set; }

    /// <summary>Signing region. Default <c>us-east-1</c>.</summary>
    public string Region { get; set; } = "us-east-1";

    /// <summary>Bucket the parts go to (required).</summary>
    public string? Bucket { get; set; }

    /// <summary>Key prefix put before the part's path relative to the output root. Default empty.</summary>
    public string Prefix { get; set; } = string.Empty;

    public string? AccessKey { get; set; }

    public string? SecretKey { get; set; }

    /// <summary>Path-style addressing (needed by most S3-compatible servers). Default true.</summary>
    public bool ForcePathStyle { get; set; } = true;

    /// <summary>Multipart part size; S3's minimum for all but the last part is 5 MiB. Default 8 MiB.</summary>
    public int PartSize { get; set; } = 8 * 1024 * 1024;
}
