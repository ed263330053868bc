namespace HlsGateway.Recorder.Uploads;

/// <summary>One part in the upload journal. Mutated only under the queue's lock.</summary>
internal sealed class UploadItem
{
    /// <summary>Order of arrival; the queue uploads the lowest first (oldest part first).</summary>
    public long Sequence { get; set; }

    public string Recording { get; set; } = string.Empty;

    public int Part { get; set; }

    /// <summary>File relative to the output root, '/'-separated; also the remote key.</summary>
    public string Path { get; set; } = string.Empty;

    public long Bytes { get; set; }

    /// <summary>Lower-case hex SHA-256 of the local file, computed before the first attempt.</summary>
    public string? Sha256 { get; set; }

    public UploadState State { get; set; }

    public int Attempts { get; set; }

    public long BytesSent { get; set; }

    public DateTimeOffset EnqueuedUtc { get; set; }

    public DateTimeOffset? StartedUtc { get; set; }

    public DateTimeOffset? CompletedUtc { get; set; }

    /// <summary>Target-specific resume token (tus upload URL, S3 upload id + part ETags).</summary>
    public string? ResumeState { get; set; }

    public string? RemoteId { get; set; }

    public string? Error { get; set; }

    public bool LocalDeleted { get; set; }

    public UploadItem Clone() => (UploadItem)MemberwiseClone();
}
