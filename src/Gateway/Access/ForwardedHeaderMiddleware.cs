using Microsoft.AspNetCore.HttpOverrides;

namespace HlsGateway.Access;

/// <summary>
/// With <c>Gateway:Access:ForwardedHeader=Forwarded</c>: runs just before ForwardedHeaders and puts the
/// RFC 7239 <c>Forwarded</c> chain of a trusted peer into <c>X-Forwarded-For</c>, which ForwardedHeaders then
/// walks (right-most untrusted hop is the client). A client-sent <c>X-Forwarded-For</c> is always dropped in
/// this mode: the trusted proxies do not write it, so it can only be a spoof.
/// </summary>
internal sealed partial class ForwardedHeaderMiddleware
{
    private const string ForwardedName = "Forwarded";

    private readonly RequestDelegate _next;
    private readonly CidrSet _trusted;
    private readonly ILogger<ForwardedHeaderMiddleware> _logger;

    public ForwardedHeaderMiddleware(RequestDelegate next, AccessConfigMonitor config, ILogger<ForwardedHeaderMiddleware> logger)
    {
        _next = next;
        _trusted = config.Current.TrustedProxySet; // read at start-up, like ForwardedHeaders' KnownIPNetworks
        _logger = logger;
    }

    public Task InvokeAsync(HttpContext context)
    {
        var headers = context.Request.Headers;
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
    }
}
