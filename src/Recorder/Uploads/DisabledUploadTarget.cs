namespace HlsGateway.Recorder.Uploads;

/// <summary>Stands in when <c>Recorder:Upload:Target</c> is none; the queue never calls it then.</summary>
internal sealed class DisabledUploadTarget : IUploadTarget
{
    public string Name => "none";

    public ValueTask<UploadResult> UploadAsync(UploadRequest request, IProgress<long> progress, CancellationToken cancellationToken) =>
        throw new InvalidOperationException("uploads are off (Recorder:Upload:Target = none)");
}
