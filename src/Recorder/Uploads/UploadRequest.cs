namespace HlsGateway.Recorder.Uploads;

/// <summary>
/// What a target uploads: a local file under a remote key, with the locally computed SHA-256 and the
/// resume token the previous attempt saved (null on the first). Targets call <see cref="SaveResumeStateAsync"/>
/// whenever the remote side acknowledged more, so a restart continues from there.
/// </summary>
internal sealed class UploadRequest(string localPath, string remoteKey, long length, string sha256, string? resumeState,
    Func<string?, CancellationToken, ValueTask> saveResumeState)
{
    public string LocalPath { get; } = localPath;

    public string RemoteKey { get; } = remoteKey;

    public long Length { get; } = length;

    /// <summary>Lower-case hex.</summary>
    public string Sha256 { get; } = sha256;

    public string? ResumeState { get; } = resumeState;

    public ValueTask SaveResumeStateAsync(string? state, CancellationToken cancellationToken) => saveResumeState(state, cancellationToken);
}
