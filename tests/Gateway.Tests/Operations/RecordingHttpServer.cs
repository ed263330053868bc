using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace HlsGateway.Tests.Operations;

/// <summary>
/// A real Kestrel server on a loopback port that records every request (path, headers, body) and answers
/// 200 with a small playlist for GETs and an empty 200 for POSTs: an origin that shows which headers reached
/// it, and an OTLP/HTTP receiver (<c>POST /v1/traces</c>).
/// </summary>
internal sealed class RecordingHttpServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentQueue<(string Method, string Path, Dictionary<string, string> Headers, byte[] Body)> _requests = new();

    private RecordingHttpServer(WebApplication app) => _app = app;

    public string BaseUrl { get; private set; } = string.Empty;

    public IReadOnlyCollection<(string Method, string Path, Dictionary<string, string> Headers, byte[] Body)> Requests => _requests.ToArray();

    public const string Playlist = "#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:2\n#EXT-X-PLAYLIST-TYPE:VOD\n#EXTINF:2.0,\nseg0.ts\n#EXT-X-ENDLIST\n";

    public static async Task<RecordingHttpServer> StartAsync()
    {
        // the test output holds the gateway's appsettings.json (Kestrel:Endpoints on 8080): override it
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = ["--Kestrel:Endpoints:Http:Url=http://127.0.0.1:0"] });
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var server = new RecordingHttpServer(app);
        app.Run(async context =>
        {
            using var body = new MemoryStream();
            await context.Request.Body.CopyToAsync(body);
            var headers = context.Request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase);
            server._requests.Enqueue((context.Request.Method, context.Request.Path.Value ?? "", headers, body.ToArray()));
            if (HttpMethods.IsGet(context.Request.Method))
            {
                context.Response.ContentType = "application/vnd.apple.mpegurl";
                await context.Response.WriteAsync(Playlist);
            }
        });
        await app.StartAsync();
        server.BaseUrl = app.Urls.First().TrimEnd('/');
        return server;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
