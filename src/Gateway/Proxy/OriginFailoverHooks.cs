using HlsGateway.Monitor.Metrics;
using Microsoft.Extensions.Logging.Abstractions;

namespace HlsGateway.Proxy;

/// <summary>What an <see cref="OriginFailover"/> reports to and reads its clock from (the registry's; no-ops in unit tests).</summary>
internal sealed record OriginFailoverHooks(TimeProvider Time, IGatewayMetrics Metrics, ILogger Logger)
{
    public static readonly OriginFailoverHooks None = new(TimeProvider.System, NullGatewayMetrics.Instance, NullLogger.Instance);
}
