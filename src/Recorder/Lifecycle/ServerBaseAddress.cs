using HlsGateway.Recorder.Configuration;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace HlsGateway.Recorder.Lifecycle;

/// <summary>
/// The default <see cref="IRecorderBaseAddress"/>: <c>Recorder:BaseUrl</c> when set, else the first
/// address Kestrel listens on (wildcards mapped to loopback), read lazily because it is known only
/// after the server started. Null outside a web host with no BaseUrl.
/// </summary>
internal sealed class ServerBaseAddress(IOptions<RecorderOptions> options, IServiceProvider services) : IRecorderBaseAddress
{
    private readonly Uri? _configured = string.IsNullOrWhiteSpace(options.Value.BaseUrl) ? null : new Uri(options.Value.BaseUrl.TrimEnd('/') + "/");
    private Uri? _server;

    public Uri? BaseAddress => _configured ?? (_server ??= FromServer());

    private Uri? FromServer()
    {
        var addresses = services.GetService<IServer>()?.Features.Get<IServerAddressesFeature>()?.Addresses;
        var first = addresses?.FirstOrDefault(a => a.StartsWith("http://", StringComparison.OrdinalIgnoreCase)) ?? addresses?.FirstOrDefault();
        if (first is null || first.EndsWith(":0", StringComparison.Ordinal))
        {
            return null; // not bound yet
        }
        var fixedUp = first.Replace("://[::]", "://[::1]", StringComparison.Ordinal).Replace("://0.0.0.0", "://127.0.0.1", StringComparison.Ordinal)
            .Replace("://+", "://127.0.0.1", StringComparison.Ordinal).Replace("://*", "://127.0.0.1", StringComparison.Ordinal)
            .Replace("://localhost", "://127.0.0.1", StringComparison.OrdinalIgnoreCase);
        return Uri.TryCreate(fixedUp.TrimEnd('/') + "/", UriKind.Absolute, out var uri) ? uri : null;
    }
}
