namespace HlsGateway.Demo;

/// <summary>
/// Hands the demo origin's log events to the gateway's logging (under <c>HlsGateway.Demo.*</c>
/// categories), so its warnings and errors show where the gateway's do.
/// </summary>
internal sealed class DemoLoggerProvider(ILoggerFactory target) : ILoggerProvider
{
    public ILogger CreateLogger(string categoryName) => target.CreateLogger("HlsGateway.Demo." + categoryName);

    public void Dispose()
    {
        // the target factory belongs to the gateway
    }
}
