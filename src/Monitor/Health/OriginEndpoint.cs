namespace HlsGateway.Monitor.Health;

/// <summary>
/// One origin as the prober sees it: the gateway's own pooled invoker and HTTP version settings,
/// so the probe travels the same path (h2c, TLS settings) as proxied requests.
/// </summary>
public sealed record OriginEndpoint(string Name, Uri BaseUri, HttpMessageInvoker Invoker, Version Version, HttpVersionPolicy VersionPolicy);
