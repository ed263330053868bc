namespace HlsGateway.Proxy;

/// <summary>
/// Lets YARP's forwarder stream an already-open origin response (<see cref="OpenResponse"/>) instead of sending
/// the request again: answers the one SendAsync with it. The request YARP built is not sent anywhere.
/// </summary>
internal sealed class OpenResponseHandler(HttpResponseMessage response) : HttpMessageHandler
{
    private HttpResponseMessage? _response = response;

    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var taken = Interlocked.Exchange(ref _response, null)
            ?? throw new InvalidOperationException("The open origin response was already used.");
        return Task.FromResult(taken);
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            Interlocked.Exchange(ref _response, null)?.Dispose();
        }
        base.Dispose(disposing);
    }
}
