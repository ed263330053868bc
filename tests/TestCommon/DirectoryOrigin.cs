using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.StaticFiles;
using Microsoft.Extensions.FileProviders;
using Microsoft.Extensions.Logging;

namespace HlsGateway.Tests.Common;

/// <summary>
/// A real Kestrel origin (loopback port 0) serving a directory live from disk, e.g. the output of an
/// ffmpeg process writing a sliding-window HLS stream. Every request reads the file as it is now;
/// responses are marked no-cache so nothing in between keeps an old live playlist.
/// </summary>
public sealed class DirectoryOrigin : IAsyncDisposable
{
    private readonly WebApplication _app;

    private DirectoryOrigin(WebApplication app, string baseUrl)
    {
        _app = app;
        BaseUrl = baseUrl;
    }

    public string BaseUrl { get; }

    public static async Task<DirectoryOrigin> StartAsync(string directory)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Configuration.Sources.Clear(); // not the gateway's appsettings.json (its Kestrel endpoints) copied next to the tests
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        var types = new FileExtensionContentTypeProvider();
        types.Mappings[".m3u8"] = "application/vnd.apple.mpegurl";
        types.Mappings[".ts"] = "video/mp2t";
        types.Mappings[".m4s"] = "video/iso.segment";
        app.UseStaticFiles(new StaticFileOptions
        {
            FileProvider = new PhysicalFileProvider(Path.GetFullPath(directory), Microsoft.Extensions.FileProviders.Physical.ExclusionFilters.None) { UsePollingFileWatcher = false },
            ContentTypeProvider = types,
            ServeUnknownFileTypes = true,
            OnPrepareResponse = ctx => ctx.Context.Response.Headers.CacheControl = "no-cache",
        });
        await app.StartAsync();
        return new DirectoryOrigin(app, app.Urls.First().TrimEnd('/'));
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
