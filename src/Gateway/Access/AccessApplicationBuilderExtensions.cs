namespace HlsGateway.Access;

internal static class AccessApplicationBuilderExtensions
{
    /// <summary>
    /// The first step of the pipeline: ForwardedHeaders for trusted proxies (none configured: nothing), preceded
    /// by <see cref="ForwardedHeaderMiddleware"/> (RFC 7239 <c>Forwarded</c> translation, or X-Forwarded-For entry check).
    /// </summary>
    public static WebApplication UseTrustedForwardedHeaders(this WebApplication app)
    {
        if (!app.Services.HasTrustedProxies())
        {
            return app;
        }
        app.UseMiddleware<ForwardedHeaderMiddleware>(); // one address rule for X-Forwarded-For and Forwarded
        app.UseForwardedHeaders();
        return app;
    }
}
