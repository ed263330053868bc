using HlsGateway.Monitor.Metrics;
using HlsGateway.Problems;

namespace HlsGateway.Access;

/// <summary>
/// Admits only clients inside the allowlist (after ForwardedHeaders has put the real client into
/// RemoteIpAddress, when trusted proxies are configured). An empty allowlist costs one volatile read.
/// <c>/admin/*</c> is never filtered here (it has its own bearer token, and must stay usable to repair the
/// list); monitoring endpoints only when <c>Gateway:Access:ProtectMonitoring</c> is true.
/// </summary>
internal sealed partial class IpAllowlistMiddleware(
    RequestDelegate next,
    Allowlist allowlist,
    AccessConfigMonitor config,
    IGatewayMetrics metrics,
    HlsGateway.Recorder.Sources.InternalClientCredential internalClient,
    ILogger<IpAllowlistMiddleware> logger)
{
    public Task InvokeAsync(HttpContext context)
    {
        var set = allowlist.Current;
        if (set.IsEmpty || set.Contains(context.Connection.RemoteIpAddress) || IsExempt(context.Request.Path, config.Current.Options.Access.ProtectMonitoring) || InternalClient.IsTrusted(context, internalClient))
        {
            return next(context);
        }
        return DenyAsync(context);
    }

    internal static bool IsExempt(PathString path, bool protectMonitoring)
    {
        if (path.StartsWithSegments("/admin", StringComparison.OrdinalIgnoreCase))
        {
            return true;
        }
        return !protectMonitoring && (path.StartsWithSegments("/health", StringComparison.OrdinalIgnoreCase) ||
            path.StartsWithSegments("/metrics", StringComparison.OrdinalIgnoreCase) ||
            path.StartsWithSegments("/stats", StringComparison.OrdinalIgnoreCase) ||
            path.StartsWithSegments("/monitor", StringComparison.OrdinalIgnoreCase));
    }

    private async Task DenyAsync(HttpContext context)
    {
        Log.Denied(logger, context.Connection.RemoteIpAddress?.ToString() ?? "-", context.Request.Path.Value ?? string.Empty);
        metrics.RequestDenied("ip");
        await ProblemWriter.WriteAsync(context, StatusCodes.Status403Forbidden, "IP not allowed", "The client address is not in this gateway's allowlist.").ConfigureAwait(false);
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 3010, EventName = "IpDenied", Level = LogLevel.Information, Message = "Denied {Path} from {Client}: not in the allowlist.")]
        public static partial void Denied(ILogger logger, string client, string path);
    }
}
