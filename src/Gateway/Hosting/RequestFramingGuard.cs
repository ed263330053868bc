using HlsGateway.Problems;
using HlsGateway.Proxy;
using Microsoft.AspNetCore.Http.Features;

namespace HlsGateway.Hosting;

/// <summary>
/// First middleware: refuses request framing a front proxy and the gateway could read differently
/// (request smuggling), before anything is routed or forwarded, and closes the connection so no
/// leftover bytes are parsed as a next request. Kestrel itself rejects duplicate or invalid
/// Content-Length and a non-chunked final Transfer-Encoding; it accepts Content-Length together with
/// Transfer-Encoding (chunked wins) and only notices malformed chunks when the body is read. So:
/// <list type="bullet">
/// <item>Content-Length + Transfer-Encoding: 400, on every path (so a client's own
/// <c>X-Content-Length</c> header next to Transfer-Encoding is refused too: Kestrel uses that name).</item>
/// <item>An HLS request carrying a body: the body is read and discarded here (bounded by
/// Kestrel:Limits:MaxRequestBodySize and MinRequestBodyDataRate, so a slow or broken body surfaces as
/// Kestrel's 400 / 408 / 413); a GET/HEAD with a body is then refused with 400, other methods go on
/// to the proxy's 405. A body never reaches the cache or YARP, which would stream it to the origin.</item>
/// </list>
/// </summary>
internal sealed partial class RequestFramingGuard(RequestDelegate next, ILogger<RequestFramingGuard> logger)
{
    private const string KestrelMovedContentLength = "X-Content-Length";

    public Task InvokeAsync(HttpContext context)
    {
        var request = context.Request;
        // Kestrel hides a Content-Length sent alongside Transfer-Encoding by renaming it X-Content-Length.
        if (request.Headers.TransferEncoding.Count > 0 && (request.Headers.ContentLength is not null || request.Headers.ContainsKey(KestrelMovedContentLength)))
        {
            Log.AmbiguousFraming(logger, context.Connection.RemoteIpAddress?.ToString() ?? "?");
            return RejectAsync(context, StatusCodes.Status400BadRequest, "Ambiguous request framing",
                "A request must not carry both Content-Length and Transfer-Encoding.");
        }
        var canHaveBody = context.Features.Get<IHttpRequestBodyDetectionFeature>()?.CanHaveBody ?? false;
        if (canHaveBody && context.Features.GetRequiredFeature<IHttpRequestFeature>().RawTarget.StartsWith(HlsPathParser.Prefix, StringComparison.Ordinal))
        {
            return RefuseBodyAsync(context);
        }
        return next(context);
    }

    private async Task RefuseBodyAsync(HttpContext context)
    {
        var ct = context.RequestAborted;
        try
        {
            // Drain rather than ignore: Kestrel's body limits and framing checks apply only while reading.
            await context.Request.Body.CopyToAsync(Stream.Null, ct).ConfigureAwait(false);
        }
        catch (BadHttpRequestException ex)
        {
            Log.BadBody(logger, context.Connection.RemoteIpAddress?.ToString() ?? "?", ex.StatusCode, ex.Message);
            await RejectAsync(context, ex.StatusCode, "Bad request body", ex.Message).ConfigureAwait(false);
            return;
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            return; // the client went away (or Kestrel aborted a too-slow upload)
        }
        catch (IOException) when (ct.IsCancellationRequested)
        {
            return;
        }
        catch (Exception ex) when (ex is OverflowException or InvalidDataException or IOException or FormatException)
        {
            // Kestrel's chunk parser reports some framing errors this way (e.g. a chunk size that overflows)
            Log.BadBody(logger, context.Connection.RemoteIpAddress?.ToString() ?? "?", StatusCodes.Status400BadRequest, ex.Message);
            await RejectAsync(context, StatusCodes.Status400BadRequest, "Bad request body", "Malformed request body framing.").ConfigureAwait(false);
            return;
        }
        if (!HttpMethods.IsGet(context.Request.Method) && !HttpMethods.IsHead(context.Request.Method))
        {
            await next(context).ConfigureAwait(false); // well framed and consumed: the proxy answers 405
            return;
        }
        Log.BodyRefused(logger, context.Connection.RemoteIpAddress?.ToString() ?? "?", context.Request.Method);
        await RejectAsync(context, StatusCodes.Status400BadRequest, "Request body not allowed",
            "HLS resources are fetched with GET or HEAD and no request body.").ConfigureAwait(false);
    }

    private static Task RejectAsync(HttpContext context, int status, string title, string detail)
    {
        // Connection: close makes Kestrel end an HTTP/1.x connection after this response; in HTTP/2 the
        // header is not allowed and a stream's framing cannot leak into the next one anyway.
        var http1 = HttpProtocol.IsHttp11(context.Request.Protocol) || HttpProtocol.IsHttp10(context.Request.Protocol);
        return ProblemWriter.WriteAsync(context, status, title, detail, header: http1 ? ("Connection", "close") : null);
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 1101, EventName = "AmbiguousFraming", Level = LogLevel.Warning, Message = "Refused a request from {Client} with both Content-Length and Transfer-Encoding.")]
        public static partial void AmbiguousFraming(ILogger logger, string client);

        [LoggerMessage(EventId = 1102, EventName = "BadRequestBody", Level = LogLevel.Information, Message = "Refused a request body from {Client}: {Status} {Reason}")]
        public static partial void BadBody(ILogger logger, string client, int status, string reason);

        [LoggerMessage(EventId = 1103, EventName = "HlsBodyRefused", Level = LogLevel.Information, Message = "Refused an HLS {Method} request with a body from {Client}.")]
        public static partial void BodyRefused(ILogger logger, string client, string method);
    }
}
