namespace HlsGateway.Monitor.Health;

/// <summary>The gateway's live list of origins (reload-aware), for health probes.</summary>
public interface IOriginDirectory
{
    IReadOnlyList<OriginEndpoint> Origins { get; }
}
