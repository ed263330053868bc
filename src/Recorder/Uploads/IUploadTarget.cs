namespace HlsGateway.Recorder.Uploads;

/// <summary>
/// One place parts are uploaded to. An upload resumes from <see cref="UploadRequest.ResumeState"/> when the
/// target still has it; failures throw (the queue retries with backoff). <paramref name="progress"/> gets
/// the bytes the remote side has acknowledged so far.
/// </summary>
internal interface IUploadTarget
{
    /// <summary>Short name for logs and status (directory, tus, s3).</summary>
    string Name { get; }

    ValueTask<UploadResult> UploadAsync(UploadRequest request, IProgress<long> progress, CancellationToken cancellationToken);
}
