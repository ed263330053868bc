namespace HlsGateway.Monitor.Stats;

/// <summary>The latency series the window keeps: the four route kinds, then Redis commands.</summary>
internal static class LatencySeries
{
    public const int Redis = 4;
    public const int Count = 5;
}
