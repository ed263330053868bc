using System.Net;
using System.Net.Security;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Https;

namespace HlsGateway.Hosting;

/// <summary>
/// Decides where the gateway listens. Cleartext comes from <c>--urls</c> / <c>ASPNETCORE_URLS</c> / <c>urls</c> or from
/// <c>Kestrel:Endpoints</c> (never both: Kestrel would silently drop the urls, so start-up refuses the mix), else the
/// default <see cref="DefaultUrl"/>; HTTPS from <c>Gateway:Tls</c>. With HTTPS on, the urls are bound here in code
/// next to it (Kestrel would otherwise let code-defined endpoints override them, again silently).
/// </summary>
internal static class ListenSetup
{
    public const string DefaultUrl = "http://127.0.0.1:8080";

    private static readonly List<SslApplicationProtocol> Alpn = [SslApplicationProtocol.Http2, SslApplicationProtocol.Http11];

    public static void Configure(WebApplicationBuilder builder, TlsOptions tls, TlsCertificateStore? store, List<string> errors)
    {
        var urls = builder.Configuration[WebHostDefaults.ServerUrlsKey];
        var hasUrls = !string.IsNullOrWhiteSpace(urls);
        var endpoints = builder.Configuration.GetSection("Kestrel:Endpoints").GetChildren().Select(c => c.Key).ToList();
        if (hasUrls && endpoints.Count > 0)
        {
            errors.Add($"urls (--urls / ASPNETCORE_URLS) is '{urls}' and Kestrel:Endpoints ({string.Join(", ", endpoints)}) is set too; Kestrel would silently ignore the urls. Use one of them.");
            return;
        }
        if (!tls.Enabled)
        {
            if (!hasUrls && endpoints.Count == 0)
            {
                builder.WebHost.UseUrls(DefaultUrl);
            }
            return;
        }

        var listens = new List<(BindingAddress Address, bool Https)>();
        if (Parse($"{TlsOptions.SectionName}:Url", tls.Url!, errors) is { } https)
        {
            if (!string.Equals(https.Scheme, "https", StringComparison.OrdinalIgnoreCase))
            {
                errors.Add($"{TlsOptions.SectionName}:Url: must be an https:// URL (was '{tls.Url}').");
            }
            listens.Add((https, true));
        }
        if (hasUrls)
        {
            foreach (var url in urls!.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                if (Parse("urls", url, errors) is not { } a)
                {
                    continue;
                }
                if (!string.Equals(a.Scheme, "http", StringComparison.OrdinalIgnoreCase))
                {
                    errors.Add($"urls: '{url}' is not http://; HTTPS is configured by {TlsOptions.SectionName}.");
                    continue;
                }
                listens.Add((a, false));
            }
            // bound below in code; left in the server's address list Kestrel would log "Overriding address(es)"
            builder.Services.AddTransient<IStartupFilter, UrlsBoundInCode>();
        }
        if (errors.Count > 0 || store is null)
        {
            return;
        }
        builder.WebHost.ConfigureKestrel(k =>
        {
            foreach (var (address, isHttps) in listens)
            {
                Listen(k, address, lo =>
                {
                    if (!isHttps)
                    {
                        return;
                    }
                    lo.Protocols = HttpProtocols.Http1AndHttp2;
                    if (tls.DirectSend)
                    {
                        lo.Use(next => connection => TlsDirectSend.RunAsync(connection, next)); // cipher side of TLS
                    }
                    lo.UseHttps(new TlsHandshakeCallbackOptions
                    {
                        OnConnection = _ => ValueTask.FromResult(new SslServerAuthenticationOptions
                        {
                            ServerCertificateContext = store.Current,
                            ApplicationProtocols = Alpn,
                        }),
                    });
                    if (tls.CoalesceWrites)
                    {
                        lo.Use(next => connection => TlsWriteCoalescer.RunAsync(connection, next)); // plaintext side of TLS
                    }
                });
            }
        });
    }

    private static BindingAddress? Parse(string key, string url, List<string> errors)
    {
        try
        {
            var a = BindingAddress.Parse(url);
            if (!a.IsUnixPipe && !(a.Host is "*" or "+" or "localhost" || IPAddress.TryParse(a.Host.Trim('[', ']'), out _)))
            {
                errors.Add($"{key}: '{url}': the host must be *, +, localhost or an IP address.");
                return null;
            }
            return a;
        }
        catch (FormatException ex)
        {
            errors.Add($"{key}: '{url}' is not a listen URL ({ex.Message}).");
            return null;
        }
    }

    private static void Listen(KestrelServerOptions k, BindingAddress a, Action<ListenOptions> configure)
    {
        if (a.IsUnixPipe)
        {
            k.ListenUnixSocket(a.UnixPipePath, configure);
        }
        else if (a.Host is "*" or "+")
        {
            k.ListenAnyIP(a.Port, configure);
        }
        else if (a.Host == "localhost")
        {
            k.ListenLocalhost(a.Port, configure);
        }
        else
        {
            k.Listen(IPAddress.Parse(a.Host.Trim('[', ']')), a.Port, configure);
        }
    }
}
