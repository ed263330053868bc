namespace HlsGateway.Access;

internal static class AccessApplicationBuilderExtensions
{
    /// <summary>
    /// The first step of the pipeline: ForwardedHeaders for trusted proxies (none configured: nothing), preceded
    /// by the RFC 7239 <c>Forwarded</c> translation when <c>Gateway:Access:ForwardedHeader=Forwarded</c>.
    /// </summary>
    public static WebApplication UseTrustedForwardedHeaders(this WebApplication app)
    {
        if (!app.Services.HasTrustedProxies())
        {
            return app;
        }
        if (app.Services.GetRequiredService<AccessConfigMonitor>().Current.Options.Access.ForwardedHeader == ForwardedHeaderKind.Forwarded)
        {
            app.UseMiddleware<ForwardedHeaderMiddleware>();
        }
        app.UseForwardedHeaders();
        return app;
    }
}
