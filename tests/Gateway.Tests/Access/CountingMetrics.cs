using System.Collections.Concurrent;
using HlsGateway.Monitor.Metrics;

namespace HlsGateway.Tests.Access;

/// <summary>Records RequestDenied reasons; everything else is ignored.</summary>
internal sealed class CountingMetrics : IGatewayMetrics
{
    public ConcurrentQueue<string> Denied { get; } = new();

    public void RequestDenied(string reason) => Denied.Enqueue(reason);

    public void RequestCompleted(RouteKind kind, string origin, int statusCode, CacheResult cache, double seconds, long bytesSent) { }

    public void OriginFetch(string origin, RouteKind kind, int statusCode, double seconds, long bytesReceived, string? error) { }

    public void RequestCollapsed(string origin) { }

    public void CacheSize(long entries, long bytes) { }

    public void RedisCommand(string command, double seconds, bool ok) { }

    public void RedisConnected(bool connected) { }
}
