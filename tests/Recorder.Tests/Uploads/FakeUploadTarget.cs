using HlsGateway.Recorder.Uploads;

namespace HlsGateway.Tests.Uploads;

/// <summary>A target whose behaviour per call is a delegate; records the requests it saw.</summary>
internal sealed class FakeUploadTarget(Func<UploadRequest, IProgress<long>, int, CancellationToken, ValueTask<UploadResult>> behaviour) : IUploadTarget
{
    private int _calls;

    public string Name => "fake";

    public List<UploadRequest> Requests { get; } = [];

    public int Calls => Volatile.Read(ref _calls);

    public ValueTask<UploadResult> UploadAsync(UploadRequest request, IProgress<long> progress, CancellationToken cancellationToken)
    {
        lock (Requests)
        {
            Requests.Add(request);
        }
        return behaviour(request, progress, Interlocked.Increment(ref _calls), cancellationToken);
    }
}
