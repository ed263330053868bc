namespace HlsGateway.Monitor.Stats;

/// <summary>
/// How busy the gateway is serving players right now: requests completed in the last complete second (from the
/// /stats request window). Background work (uploads) reads it to yield to players.
/// </summary>
public interface IServingLoad
{
    double RequestsPerSecond { get; }
}
