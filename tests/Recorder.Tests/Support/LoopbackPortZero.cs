using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;

namespace HlsGateway.Tests.Support;

/// <summary>
/// Workaround: GatewayApp adds appsettings.json after the command line, so its "Urls"
/// (127.0.0.1:8080) beats GatewayHost's "--urls http://127.0.0.1:0" and parallel gateway hosts
/// collide on 8080. An explicit Kestrel listen on port 0 wins over both.
/// </summary>
internal static class LoopbackPortZero
{
    public static void Apply(WebApplicationBuilder builder) =>
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0));
}
