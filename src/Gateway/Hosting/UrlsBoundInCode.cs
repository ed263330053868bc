using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;

namespace HlsGateway.Hosting;

/// <summary>
/// With HTTPS on, <see cref="ListenSetup"/> binds the <c>--urls</c> / <c>ASPNETCORE_URLS</c> addresses itself, next to the
/// HTTPS endpoint. The host has copied them into the server's address list by the time start-up filters run; cleared
/// there, Kestrel binds each once (ours) instead of logging "Overriding address(es)" over them. The in-process demo
/// origin uses it too: its host would otherwise copy the gateway's <c>ASPNETCORE_URLS</c> into its own address list.
/// </summary>
internal sealed class UrlsBoundInCode(IServer server) : IStartupFilter
{
    public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next)
    {
        if (server.Features.Get<IServerAddressesFeature>() is { Addresses: { IsReadOnly: false } addresses })
        {
            addresses.Clear();
        }
        return next;
    }
}
