using HlsGateway.Monitor.Metrics;
using HlsGateway.Problems;
using HlsGateway.Proxy;
using Microsoft.AspNetCore.Http.Features;

namespace HlsGateway.Access;

/// <summary>
/// Checks signed URLs on <c>/hls/*</c> and <c>/dvr/*</c> (recordings served back). Unsigned requests pass unless <c>Gateway:Signing:Required</c>; once a
/// key is configured, a request carrying any signature parameter must be valid (with no key at all the
/// parameters are only stripped, as before signing was set up). For playlists the validated parameters are kept as a
/// <see cref="SignedRequest"/> feature so the rewriter can sign the children.
/// </summary>
internal sealed partial class SignatureMiddleware(
    RequestDelegate next,
    AccessConfigMonitor config,
    TimeProvider time,
    IGatewayMetrics metrics,
    HlsGateway.Recorder.Sources.InternalClientCredential internalClient,
    ILogger<SignatureMiddleware> logger)
{
    public Task InvokeAsync(HttpContext context)
    {
        var raw = context.Features.GetRequiredFeature<IHttpRequestFeature>().RawTarget;
        var dvr = raw.StartsWith(HlsGateway.Dvr.DvrEndpoints.Prefix, StringComparison.Ordinal);
        if (!dvr && !raw.StartsWith(HlsPathParser.Prefix, StringComparison.Ordinal))
        {
            return next(context);
        }
        var snapshot = config.Current;
        if (!snapshot.SigningRequired && (snapshot.Keys.Count == 0 || !SignatureValidator.HasSignatureParams(raw)))
        {
            return next(context); // signing off (no keys), or optional and nothing to check: the cheap path
        }
        if (InternalClient.IsTrusted(context, internalClient))
        {
            return next(context); // the gateway's own recorder, over loopback
        }
        var q = raw.IndexOf('?');
        var pathOnly = q < 0 ? raw.AsSpan() : raw.AsSpan(0, q);
        var capture = dvr ? pathOnly.EndsWith(".m3u8", StringComparison.Ordinal) : HlsPathParser.KindOf(pathOnly) == RouteKind.MediaPlaylist;
        var status = SignatureValidator.Validate(raw, context.Connection.RemoteIpAddress, time.GetUtcNow().ToUnixTimeMilliseconds(), snapshot, capture, out var signed);
        if (status == SignatureStatus.Valid)
        {
            if (signed is not null)
            {
                context.Features.Set(signed);
            }
            return next(context);
        }
        return DenyAsync(context, status);
    }

    private async Task DenyAsync(HttpContext context, SignatureStatus status)
    {
        Log.Denied(logger, SignatureStatusText.Label(status), context.Connection.RemoteIpAddress?.ToString() ?? "-", context.Request.Path.Value ?? string.Empty);
        metrics.RequestDenied("signature");
        await ProblemWriter.WriteAsync(context, StatusCodes.Status403Forbidden, SignatureStatusText.Title(status), SignatureStatusText.Detail(status)).ConfigureAwait(false);
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 3020, EventName = "SignatureDenied", Level = LogLevel.Information, Message = "Denied {Path} from {Client}: signature {Reason}.")]
        public static partial void Denied(ILogger logger, string reason, string client, string path);
    }
}
