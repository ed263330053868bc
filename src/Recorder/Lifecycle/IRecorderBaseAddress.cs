namespace HlsGateway.Recorder.Lifecycle;

/// <summary>
/// Where gateway-path recordings (<c>/hls/...</c>) are fetched from: the gateway's own loopback
/// address so the recorder shares the cache. The default reads <c>Recorder:BaseUrl</c>; the
/// gateway replaces it with one that reads Kestrel's bound address (known only after start).
/// </summary>
internal interface IRecorderBaseAddress
{
    Uri? BaseAddress { get; }
}
