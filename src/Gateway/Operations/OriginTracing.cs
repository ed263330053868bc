using System.Diagnostics;

namespace HlsGateway.Operations;

/// <summary>
/// What the origin handlers put on the wire for tracing: nothing (the default: no client-sent
/// <c>traceparent</c> leaks to an origin) until <c>Gateway:Tracing:Enabled</c> turns W3C propagation on.
/// Process-wide, like <see cref="DistributedContextPropagator.Current"/>; once on it stays on.
/// </summary>
internal static class OriginTracing
{
    private static volatile DistributedContextPropagator? _propagator;

    /// <summary>For <see cref="System.Net.Http.SocketsHttpHandler.ActivityHeadersPropagator"/>.</summary>
    public static DistributedContextPropagator? Propagator => _propagator;

    public static void Enable() => _propagator = DistributedContextPropagator.Current;
}
