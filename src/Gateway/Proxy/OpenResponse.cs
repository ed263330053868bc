namespace HlsGateway.Proxy;

/// <summary>
/// An origin response a cache fill opened and found too large to cache, kept open for the request that started
/// the fill so its stream needs no second origin request. Taken at most once; disposed (closing the upstream
/// request) if nobody takes it within <see cref="Unclaimed"/>, e.g. because that client went away.
/// </summary>
internal sealed class OpenResponse : IDisposable
{
    public static readonly TimeSpan Unclaimed = TimeSpan.FromSeconds(10);

    private HttpResponseMessage? _response;
    private readonly ITimer _timer;

    public OpenResponse(HttpResponseMessage response, TimeProvider time)
    {
        _response = response;
        _timer = time.CreateTimer(static o => ((OpenResponse)o!).Dispose(), this, Unclaimed, Timeout.InfiniteTimeSpan);
    }

    /// <summary>The response, to the first caller only; null afterwards or once it was disposed.</summary>
    public HttpResponseMessage? TryTake()
    {
        var response = Interlocked.Exchange(ref _response, null);
        if (response is not null)
        {
            _timer.Dispose();
        }
        return response;
    }

    public void Dispose()
    {
        _timer.Dispose();
        Interlocked.Exchange(ref _response, null)?.Dispose();
    }
}
