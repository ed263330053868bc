using HlsGateway.Recorder.Configuration;
using HlsGateway.Recorder.Lifecycle;
using HlsGateway.Recorder.Uploads;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace HlsGateway.Recorder.Admin;

/// <summary>
/// <c>/admin/recordings</c>: list, get, start, stop and split recordings. The host applies its admin policy to the
/// returned group (the gateway: bearer <c>Gateway:Admin:Token</c>, 404 while none is configured).
/// Started recordings must be gateway paths (<c>/hls/&lt;origin&gt;/...</c>), so the admin API
/// cannot point the gateway at arbitrary URLs. List and get carry each recording's upload summary and per-part
/// upload rows; <c>GET /admin/recordings/uploads[?state=queued|uploading|done|failed]</c> lists the whole upload
/// queue (failed parts with their reason); <c>POST /admin/recordings/uploads/pause</c> and <c>/resume</c> hold and
/// release uploads. A recording named <c>uploads</c> is reachable by the list only.
/// </summary>
internal static class RecordingsAdminEndpoints
{
    public const string Prefix = "/admin/recordings";

    private static readonly System.Text.Json.JsonSerializerOptions Json = new(System.Text.Json.JsonSerializerDefaults.Web)
    {
        Converters = { new System.Text.Json.Serialization.JsonStringEnumConverter(System.Text.Json.JsonNamingPolicy.CamelCase) },
    };

    public static RouteGroupBuilder MapRecordingsAdmin(this IEndpointRouteBuilder endpoints)
    {
        var group = endpoints.MapGroup(Prefix);

        group.MapGet("/", (RecordingManager manager) => Results.Json(manager.List(), Json));
        group.MapGet("/uploads", (string? state, IUploadStatusSource uploads, IOptions<UploadOptions> options, UploadBandwidth bandwidth) =>
        {
            UploadState? filter = null;
            if (!string.IsNullOrEmpty(state))
            {
                if (!Enum.TryParse<UploadState>(state, ignoreCase: true, out var parsed) || !Enum.IsDefined(parsed))
                {
                    return Results.Problem(title: "Invalid upload state", detail: "state: must be queued, uploading, done or failed.", statusCode: StatusCodes.Status400BadRequest);
                }
                filter = parsed;
            }
            var all = uploads.Snapshot();
            var items = filter is { } f ? all.Where(u => u.State == f).ToList() : all;
            var target = options.Value.Target.ToString().ToLowerInvariant();
            return Results.Json(new UploadQueueReport(target, bandwidth.Paused, uploads.BytesUploaded, uploads.Failures, UploadSummary.From(all), items), Json);
        });
        // pause stops uploads at their next safe point (no request is held open); resume lets them go on
        group.MapPost("/uploads/pause", (UploadBandwidth bandwidth) =>
        {
            bandwidth.Pause();
            return Results.Json(new { paused = true }, Json);
        });
        group.MapPost("/uploads/resume", (UploadBandwidth bandwidth) =>
        {
            bandwidth.Resume();
            return Results.Json(new { paused = false }, Json);
        });
        group.MapGet("/{name}", (string name, RecordingManager manager) =>
            manager.Get(name) is { } status ? Results.Json(status, Json) : NotFound(name));
        group.MapPost("/", async (RecordingDefinition definition, RecordingManager manager, CancellationToken ct) =>
        {
            if (!definition.Url.StartsWith("/hls/", StringComparison.Ordinal))
            {
                return Results.Problem(title: "Invalid recording", detail: "url: must be a gateway path /hls/<origin>/<path>.m3u8.", statusCode: StatusCodes.Status400BadRequest);
            }
            var (result, errors) = await manager.StartRecordingAsync(definition, ct).ConfigureAwait(false);
            return result switch
            {
                StartRecordingResult.Started => Results.Json(manager.Get(definition.Name), Json, statusCode: StatusCodes.Status201Created),
                StartRecordingResult.AlreadyRunning => Results.Problem(title: "Recording already running", detail: $"'{definition.Name}' is already recording.", statusCode: StatusCodes.Status409Conflict),
                _ => Results.Problem(title: "Invalid recording", detail: string.Join(" ", errors), statusCode: StatusCodes.Status400BadRequest),
            };
        });
        group.MapDelete("/{name}", async (string name, RecordingManager manager) =>
            await manager.StopRecordingAsync(name).ConfigureAwait(false) ? Results.Json(manager.Get(name), Json) : NotFound(name));
        group.MapPost("/{name}/split", (string name, RecordingManager manager) =>
            manager.RequestSplit(name) ? Results.Accepted() : NotFound(name));
        return group;
    }

    private static IResult NotFound(string name) =>
        Results.Problem(title: "No such recording", detail: $"No active recording named '{name}'.", statusCode: StatusCodes.Status404NotFound);
}
