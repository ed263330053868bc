using Microsoft.AspNetCore.HttpOverrides;

namespace HlsGateway.Access;

/// <summary>
/// Runs just before ForwardedHeaders (only when trusted proxies are configured), so both headers follow one rule
/// for addresses (<see cref="ForwardedHeaderParser"/>):
/// with <c>Gateway:Access:ForwardedHeader=Forwarded</c> it puts the RFC 7239 <c>Forwarded</c> chain of a trusted
/// peer into <c>X-Forwarded-For</c>, which ForwardedHeaders then walks (right-most untrusted hop is the client); a
/// client-sent <c>X-Forwarded-For</c> is always dropped in this mode: the trusted proxies do not write it, so it can
/// only be a spoof. With <c>XForwardedFor</c> (default) it replaces each entry of a trusted peer's
/// <c>X-Forwarded-For</c> that is not a bare address (<c>10.0.0.5:1234</c>, <c>[::1]</c>, zones, <c>unknown</c>)
/// with <c>unknown</c>, where the walk stops; ForwardedHeaders alone would read <c>10.0.0.5:1234</c> as 10.0.0.5.
/// </summary>
internal sealed partial class ForwardedHeaderMiddleware
{
    private const string ForwardedName = "Forwarded";

    private readonly RequestDelegate _next;
    private readonly CidrSet _trusted;
    private readonly ILogger<ForwardedHeaderMiddleware> _logger;
    private readonly bool _forwardedMode;

    public ForwardedHeaderMiddleware(RequestDelegate next, AccessConfigMonitor config, ILogger<ForwardedHeaderMiddleware> logger)
    {
        _next = next;
        _trusted = config.Current.TrustedProxySet; // read at start-up, like ForwardedHeaders' KnownIPNetworks
        _logger = logger;
        _forwardedMode = config.Current.Options.Access.ForwardedHeader == ForwardedHeaderKind.Forwarded;
    }

    public Task InvokeAsync(HttpContext context)
    {
        var headers = context.Request.Headers;
        if (!_forwardedMode)
        {
            if (headers.TryGetValue(ForwardedHeadersDefaults.XForwardedForHeaderName, out var xff) && _trusted.Contains(context.Connection.RemoteIpAddress))
            {
                var normalized = ForwardedHeaderParser.NormalizeXForwardedFor(xff, out var changed);
                if (changed)
                {
                    headers[ForwardedHeadersDefaults.XForwardedForHeaderName] = normalized;
                    Log.XffNormalized(_logger, xff.ToString(), normalized);
                }
            }
            return _next(context);
        }
        headers.Remove(ForwardedHeadersDefaults.XForwardedForHeaderName);
        if (headers.TryGetValue(ForwardedName, out var forwarded) && _trusted.Contains(context.Connection.RemoteIpAddress))
        {
            var xff = ForwardedHeaderParser.ToXForwardedFor(forwarded);
            if (xff is not null)
            {
                headers[ForwardedHeadersDefaults.XForwardedForHeaderName] = xff;
                Log.Translated(_logger, forwarded.ToString(), xff);
            }
        }
        return _next(context);
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 3011, EventName = "ForwardedTranslated", Level = LogLevel.Trace, Message = "Forwarded '{Forwarded}' read as X-Forwarded-For '{Chain}'.")]
        public static partial void Translated(ILogger logger, string forwarded, string chain);

        [LoggerMessage(EventId = 7701, EventName = "XForwardedForNormalized", Level = LogLevel.Debug, Message = "X-Forwarded-For '{Original}' read as '{Chain}' (entries that are not bare addresses are unknown).")]
        public static partial void XffNormalized(ILogger logger, string original, string chain);
    }
}
