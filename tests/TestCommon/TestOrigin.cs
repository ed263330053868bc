using System.Collections.Concurrent;
using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Logging;

namespace HlsGateway.Tests.Common;

/// <summary>How the origin misbehaves for matching paths (fault injection).</summary>
public enum OriginFault
{
    None,
    /// <summary>Answer 500 (or <see cref="TestOrigin.ServerErrorStatus"/>).</summary>
    ServerError,
    /// <summary>Announce the full Content-Length, send half the body, then abort the connection.</summary>
    Truncate,
    /// <summary>Wait <see cref="TestOrigin.Delay"/> before answering.</summary>
    Slow,
    /// <summary>Answer with 200 KB of response headers.</summary>
    HugeHeaders,
}

/// <summary>
/// A real Kestrel origin on a loopback port (port 0), serving HLS resources from memory. It counts
/// requests per path, records the HTTP protocol each request used, and can inject faults. HTTP/1.1
/// and h2c prior knowledge on one cleartext port; optionally TLS with ALPN (h2 + http/1.1).
/// </summary>
public sealed class TestOrigin : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentDictionary<string, (byte[] Body, string ContentType)> _files = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, int> _hits = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<(string Path, string Protocol, string? Range, string Method)> _log = new();
    private readonly ConcurrentQueue<(string Path, IReadOnlyDictionary<string, string> Headers)> _headers = new();
    private readonly ConcurrentDictionary<string, (string Name, string Value)[]> _responseHeaders = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, int> _notModified = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, int> _conditional = new(StringComparer.Ordinal);

    private TestOrigin(WebApplication app, string baseUrl)
    {
        _app = app;
        BaseUrl = baseUrl;
    }

    public string BaseUrl { get; }

    public OriginFault Fault { get; set; }

    /// <summary>Only paths containing this substring get the fault (null: all).</summary>
    public string? FaultPathContains { get; set; }

    public TimeSpan Delay { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>The status <see cref="OriginFault.ServerError"/> answers with. Default 500.</summary>
    public int ServerErrorStatus { get; set; } = 500;

    /// <summary>Extra latency for every request (makes a storm overlap one fetch).</summary>
    public TimeSpan Latency { get; set; }

    public IReadOnlyCollection<(string Path, string Protocol, string? Range, string Method)> Requests => _log.ToArray();

    /// <summary>Pseudo-header in <see cref="RequestHeaders"/>: the request target exactly as it arrived (percent-encoding kept).</summary>
    public const string RawTargetKey = ":raw-target";

    /// <summary>Every request's headers (name -> comma-joined values, names case-insensitive), in arrival order.</summary>
    public IReadOnlyCollection<(string Path, IReadOnlyDictionary<string, string> Headers)> RequestHeaders => _headers.ToArray();

    public int Hits(string path) => _hits.GetValueOrDefault(path);

    /// <summary>Requests for <paramref name="path"/> that carried If-None-Match or If-Modified-Since.</summary>
    public int ConditionalHits(string path) => _conditional.GetValueOrDefault(path);

    /// <summary>304 answers (no body) sent for <paramref name="path"/>.</summary>
    public int NotModifiedHits(string path) => _notModified.GetValueOrDefault(path);

    /// <summary>Answer conditional GETs (If-None-Match against the ETag, If-Modified-Since) with 304. Default true.</summary>
    public bool HonourConditionals { get; set; } = true;

    /// <summary>Extra response headers for <paramref name="path"/> (Cache-Control, Set-Cookie, Expires, Last-Modified...).</summary>
    public void SetHeaders(string path, params (string Name, string Value)[] headers) => _responseHeaders[Normalize(path)] = headers;

    public int TotalHits => _hits.Values.Sum();

    public void Set(string path, byte[] body, string? contentType = null) =>
        _files[Normalize(path)] = (body, contentType ?? ContentTypeFor(path));

    public void Set(string path, string text, string? contentType = null) => Set(path, System.Text.Encoding.UTF8.GetBytes(text), contentType);

    public void Remove(string path) => _files.TryRemove(Normalize(path), out _);

    /// <summary>Copies every file under <paramref name="directory"/> (e.g. ffmpeg output) to <paramref name="prefix"/>.</summary>
    public void AddDirectory(string directory, string prefix = "")
    {
        foreach (var file in Directory.EnumerateFiles(directory, "*", SearchOption.AllDirectories))
        {
            var rel = Path.GetRelativePath(directory, file).Replace('\\', '/');
            Set(prefix.TrimEnd('/') + "/" + rel, File.ReadAllBytes(file));
        }
    }

    /// <param name="http2Only">Cleartext HTTP/2 only (h2c prior knowledge): Kestrel does not offer h2c on a mixed endpoint.</param>
    public static async Task<TestOrigin> StartAsync(bool tls = false, bool http2Only = false)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Configuration.Sources.Clear(); // not the gateway's appsettings.json (its Kestrel endpoints) copied next to the tests
        builder.Logging.ClearProviders();
        X509Certificate2? cert = tls ? CreateSelfSigned() : null;
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.Limits.MaxResponseBufferSize = null;
            k.Listen(IPAddress.Loopback, 0, l =>
            {
                l.Protocols = http2Only ? HttpProtocols.Http2 : HttpProtocols.Http1AndHttp2;
                if (cert is not null)
                {
                    l.UseHttps(cert);
                }
            });
        });
        var app = builder.Build();
        TestOrigin? origin = null;
        app.Run(ctx => origin!.HandleAsync(ctx));
        await app.StartAsync();
        var address = app.Urls.First();
        origin = new TestOrigin(app, address.TrimEnd('/'));
        return origin;
    }

    private async Task HandleAsync(HttpContext ctx)
    {
        var path = ctx.Request.Path.Value ?? "/";
        _log.Enqueue((path + ctx.Request.QueryString, ctx.Request.Protocol, ctx.Request.Headers.Range.ToString() is { Length: > 0 } r ? r : null, ctx.Request.Method));
        var seen = ctx.Request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase);
        seen[RawTargetKey] = ctx.Features.Get<Microsoft.AspNetCore.Http.Features.IHttpRequestFeature>()!.RawTarget;
        _headers.Enqueue((path, seen));
        _hits.AddOrUpdate(path, 1, static (_, n) => n + 1);
        if (Latency > TimeSpan.Zero)
        {
            await Task.Delay(Latency, ctx.RequestAborted);
        }

        var fault = FaultPathContains is null || path.Contains(FaultPathContains, StringComparison.Ordinal) ? Fault : OriginFault.None;
        switch (fault)
        {
            case OriginFault.ServerError:
                ctx.Response.StatusCode = ServerErrorStatus;
                await ctx.Response.WriteAsync("boom");
                return;
            case OriginFault.Slow:
                await Task.Delay(Delay, ctx.RequestAborted);
                break;
            case OriginFault.HugeHeaders:
                for (var i = 0; i < 200; i++)
                {
                    ctx.Response.Headers["X-Big-" + i] = new string('x', 1000);
                }
                break;
        }

        if (!_files.TryGetValue(path, out var file))
        {
            ctx.Response.StatusCode = 404;
            return;
        }
        ctx.Response.ContentType = file.ContentType;
        var etag = "\"" + Convert.ToHexString(SHA1.HashData(file.Body))[..16] + "\"";
        ctx.Response.Headers.ETag = etag;
        string? lastModified = null;
        if (_responseHeaders.TryGetValue(path, out var extra))
        {
            foreach (var (name, value) in extra)
            {
                ctx.Response.Headers.Append(name, value);
                if (name.Equals("Last-Modified", StringComparison.OrdinalIgnoreCase))
                {
                    lastModified = value;
                }
            }
        }
        var ifNoneMatch = ctx.Request.Headers.IfNoneMatch.ToString();
        var ifModifiedSince = ctx.Request.Headers.IfModifiedSince.ToString();
        if (ifNoneMatch.Length > 0 || ifModifiedSince.Length > 0)
        {
            _conditional.AddOrUpdate(path, 1, static (_, n) => n + 1);
            var notModified = ifNoneMatch.Length > 0 ? ifNoneMatch.Contains(etag, StringComparison.Ordinal) : lastModified is not null && ifModifiedSince == lastModified;
            // a truncating origin breaks every answer: it ignores the condition and cuts the full body (below)
            if (HonourConditionals && notModified && fault != OriginFault.Truncate)
            {
                _notModified.AddOrUpdate(path, 1, static (_, n) => n + 1);
                ctx.Response.ContentType = null;
                ctx.Response.StatusCode = 304;
                return;
            }
        }
        if (fault == OriginFault.Truncate)
        {
            ctx.Response.ContentLength = file.Body.Length;
            await ctx.Response.Body.WriteAsync(file.Body.AsMemory(0, file.Body.Length / 2));
            await ctx.Response.Body.FlushAsync();
            ctx.Abort();
            return;
        }
        var body = file.Body.AsMemory();
        var range = ctx.Request.Headers.Range.ToString();
        if (range.StartsWith("bytes=", StringComparison.Ordinal) && !range.Contains(','))
        {
            var parts = range[6..].Split('-');
            long from = parts[0].Length > 0 ? long.Parse(parts[0]) : body.Length - long.Parse(parts[1]);
            long to = parts[0].Length > 0 && parts[1].Length > 0 ? long.Parse(parts[1]) : body.Length - 1;
            to = Math.Min(to, body.Length - 1);
            ctx.Response.StatusCode = 206;
            ctx.Response.Headers.ContentRange = $"bytes {from}-{to}/{body.Length}";
            body = body.Slice((int)from, (int)(to - from + 1));
        }
        ctx.Response.ContentLength = body.Length;
        if (!HttpMethods.IsHead(ctx.Request.Method))
        {
            await ctx.Response.Body.WriteAsync(body, ctx.RequestAborted);
        }
    }

    private static string Normalize(string path) => path.StartsWith('/') ? path : "/" + path;

    public static string ContentTypeFor(string path) => Path.GetExtension(path).ToLowerInvariant() switch
    {
        ".m3u8" => "application/vnd.apple.mpegurl",
        ".ts" => "video/mp2t",
        ".m4s" => "video/iso.segment",
        ".mp4" => "video/mp4",
        ".key" => "application/octet-stream",
        _ => "application/octet-stream",
    };

    private static X509Certificate2 CreateSelfSigned()
    {
        using var key = RSA.Create(2048);
        var req = new CertificateRequest("CN=localhost", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var san = new SubjectAlternativeNameBuilder();
        san.AddDnsName("localhost");
        san.AddIpAddress(IPAddress.Loopback);
        req.CertificateExtensions.Add(san.Build());
        req.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        using var cert = req.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
        return X509CertificateLoader.LoadPkcs12(cert.Export(X509ContentType.Pfx), null);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
