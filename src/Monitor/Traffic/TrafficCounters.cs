namespace HlsGateway.Monitor.Traffic;

/// <summary>Requests in flight by HTTP version, and open client connections (from Kestrel's meter).</summary>
internal sealed class TrafficCounters
{
    public const int Http1 = 0;
    public const int Http2 = 1;
    public const int Http3 = 2;
    public static readonly string[] ProtocolLabels = ["http/1.1", "http/2", "http/3"];

    // one cache line apart, so the two cores do not fight over the same line
    private readonly long[] _active = new long[3 * 8];
    private long _connections;

    public long ActiveConnections => Interlocked.Read(ref _connections);

    public long ActiveRequests(int protocol) => Interlocked.Read(ref _active[protocol * 8]);

    public void RequestStarted(int protocol) => Interlocked.Increment(ref _active[protocol * 8]);

    public void RequestEnded(int protocol) => Interlocked.Decrement(ref _active[protocol * 8]);

    public void ConnectionsChanged(long delta) => Interlocked.Add(ref _connections, delta);
}
