using System.Text.Json;
using HlsGateway.Access;
using HlsGateway.Problems;
using StackExchange.Redis;

namespace HlsGateway.Admin;

/// <summary>
/// <c>/admin/allowlist</c>: GET lists the static and live entries, POST {cidr, ttlSeconds?, note?} adds (or
/// replaces) a live entry, DELETE ?cidr= removes one. Behind the admin policy (bearer <c>Gateway:Admin:Token</c>;
/// without a token the admin API answers 404 as if it did not exist).
/// </summary>
internal static partial class AllowlistAdminEndpoints
{
    public const string Path = "/admin/allowlist";
    private const int MaxBodyBytes = 16 * 1024;
    private const long MaxTtlSeconds = 10L * 366 * 24 * 3600;

    public static IEndpointConventionBuilder MapAllowlistAdmin(this IEndpointRouteBuilder endpoints)
    {
        // authorization: the admin policy, applied by GatewayApp (Admin/AdminPolicy.cs)
        return endpoints.MapMethods(Path, [HttpMethods.Get, HttpMethods.Post, HttpMethods.Delete], HandleAsync);
    }

    private static async Task HandleAsync(HttpContext context)
    {
        var services = context.RequestServices;
        var snapshot = services.GetRequiredService<AccessConfigMonitor>().Current;
        var logger = services.GetRequiredService<ILoggerFactory>().CreateLogger("HlsGateway.Admin.Allowlist");
        var store = services.GetRequiredService<IAllowlistStore>();
        var allowlist = services.GetRequiredService<Allowlist>();
        var time = services.GetRequiredService<TimeProvider>();
        var ct = context.RequestAborted;
        try
        {
            if (HttpMethods.IsGet(context.Request.Method))
            {
                await WriteListAsync(context, snapshot, store, time, ct).ConfigureAwait(false);
            }
            else if (HttpMethods.IsPost(context.Request.Method))
            {
                await AddAsync(context, store, allowlist, time, logger, ct).ConfigureAwait(false);
            }
            else
            {
                await RemoveAsync(context, store, allowlist, logger, ct).ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            Log.StoreFailed(logger, ex);
            await ProblemWriter.WriteAsync(context, StatusCodes.Status503ServiceUnavailable, "Allowlist store unavailable", "The shared allowlist (Redis) did not answer; try again.").ConfigureAwait(false);
        }
    }

    private static async Task AddAsync(HttpContext context, IAllowlistStore store, Allowlist allowlist, TimeProvider time, ILogger logger, CancellationToken ct)
    {
        if (context.Request.ContentLength > MaxBodyBytes)
        {
            await BadRequestAsync(context, "body", $"at most {MaxBodyBytes} bytes.").ConfigureAwait(false);
            return;
        }
        JsonDocument doc;
        try
        {
            doc = await JsonDocument.ParseAsync(context.Request.Body, cancellationToken: ct).ConfigureAwait(false);
        }
        catch (JsonException)
        {
            await BadRequestAsync(context, "body", "expected a JSON object {\"cidr\": \"10.0.0.0/8\", \"ttlSeconds\": 3600, \"note\": \"...\"}.").ConfigureAwait(false);
            return;
        }
        using (doc)
        {
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                await BadRequestAsync(context, "body", "expected a JSON object.").ConfigureAwait(false);
                return;
            }
            if (!root.TryGetProperty("cidr", out var cidrElement) || cidrElement.ValueKind != JsonValueKind.String)
            {
                await BadRequestAsync(context, "cidr", "required, a string such as \"10.0.0.0/8\".").ConfigureAwait(false);
                return;
            }
            if (!Cidr.TryParse(cidrElement.GetString(), out var cidr, out var error))
            {
                await BadRequestAsync(context, "cidr", error + ".").ConfigureAwait(false);
                return;
            }
            long? ttl = null;
            if (root.TryGetProperty("ttlSeconds", out var ttlElement) && ttlElement.ValueKind != JsonValueKind.Null)
            {
                if (ttlElement.ValueKind != JsonValueKind.Number || !ttlElement.TryGetInt64(out var t) || t < 1 || t > MaxTtlSeconds)
                {
                    await BadRequestAsync(context, "ttlSeconds", $"an integer between 1 and {MaxTtlSeconds}, or absent for no expiry.").ConfigureAwait(false);
                    return;
                }
                ttl = t;
            }
            string? note = null;
            if (root.TryGetProperty("note", out var noteElement) && noteElement.ValueKind != JsonValueKind.Null)
            {
                if (noteElement.ValueKind != JsonValueKind.String || noteElement.GetString()!.Length > 256)
                {
                    await BadRequestAsync(context, "note", "a string of at most 256 characters.").ConfigureAwait(false);
                    return;
                }
                note = noteElement.GetString();
            }
            var now = time.GetUtcNow();
            var entry = new AllowlistEntry(cidr.ToString(), note, now, ttl is { } s ? now.AddSeconds(s) : null);
            await store.AddAsync(entry, ct).ConfigureAwait(false);
            allowlist.Rebuild();
            Log.Added(logger, entry.Cidr, ttl ?? 0, context.Connection.RemoteIpAddress?.ToString() ?? "-");
            context.Response.StatusCode = StatusCodes.Status201Created;
            await WriteJsonAsync(context, json => WriteEntry(json, entry), ct).ConfigureAwait(false);
        }
    }

    private static async Task RemoveAsync(HttpContext context, IAllowlistStore store, Allowlist allowlist, ILogger logger, CancellationToken ct)
    {
        var raw = context.Request.Query["cidr"];
        if (raw.Count != 1)
        {
            await BadRequestAsync(context, "cidr", "give exactly one ?cidr= query parameter.").ConfigureAwait(false);
            return;
        }
        if (!Cidr.TryParse(raw.ToString(), out var cidr, out var error))
        {
            await BadRequestAsync(context, "cidr", error + ".").ConfigureAwait(false);
            return;
        }
        var removed = await store.RemoveAsync(cidr.ToString(), ct).ConfigureAwait(false);
        allowlist.Rebuild();
        if (!removed)
        {
            await ProblemWriter.WriteAsync(context, StatusCodes.Status404NotFound, "No such entry", $"No live allowlist entry for {cidr}.").ConfigureAwait(false);
            return;
        }
        Log.Removed(logger, cidr.ToString(), context.Connection.RemoteIpAddress?.ToString() ?? "-");
        context.Response.StatusCode = StatusCodes.Status204NoContent;
    }

    private static Task WriteListAsync(HttpContext context, AccessSnapshot snapshot, IAllowlistStore store, TimeProvider time, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        return WriteJsonAsync(context, json =>
        {
            json.WriteStartObject();
            json.WriteStartArray("static");
            foreach (var cidr in snapshot.StaticCidrs)
            {
                json.WriteStringValue(cidr.ToString());
            }
            json.WriteEndArray();
            json.WriteStartArray("entries");
            foreach (var entry in store.Entries.Where(e => e.IsActive(now)))
            {
                WriteEntry(json, entry);
            }
            json.WriteEndArray();
            json.WriteEndObject();
        }, ct);
    }

    private static void WriteEntry(Utf8JsonWriter json, AllowlistEntry entry)
    {
        json.WriteStartObject();
        json.WriteString("cidr", entry.Cidr);
        if (entry.Note is not null)
        {
            json.WriteString("note", entry.Note);
        }
        json.WriteString("createdAt", entry.CreatedAt);
        if (entry.ExpiresAt is { } at)
        {
            json.WriteString("expiresAt", at);
        }
        json.WriteEndObject();
    }

    private static async Task WriteJsonAsync(HttpContext context, Action<Utf8JsonWriter> write, CancellationToken ct)
    {
        using var buffer = new MemoryStream(256);
        using (var json = new Utf8JsonWriter(buffer))
        {
            write(json);
        }
        context.Response.ContentType = "application/json";
        context.Response.Headers.CacheControl = "no-store";
        context.Response.ContentLength = buffer.Length;
        await context.Response.Body.WriteAsync(buffer.GetBuffer().AsMemory(0, (int)buffer.Length), ct).ConfigureAwait(false);
    }

    private static Task BadRequestAsync(HttpContext context, string field, string message) =>
        ProblemWriter.WriteAsync(context, StatusCodes.Status400BadRequest, $"Invalid {field}", $"{field}: {message}");

    private static partial class Log
    {
        [LoggerMessage(EventId = 3201, EventName = "AllowlistEntryAdded", Level = LogLevel.Information, Message = "Admin added allowlist entry {Cidr} (ttl {TtlSeconds} s, 0 = none) from {Client}.")]
        public static partial void Added(ILogger logger, string cidr, long ttlSeconds, string client);

        [LoggerMessage(EventId = 3202, EventName = "AllowlistEntryRemoved", Level = LogLevel.Information, Message = "Admin removed allowlist entry {Cidr} from {Client}.")]
        public static partial void Removed(ILogger logger, string cidr, string client);

        [LoggerMessage(EventId = 3204, EventName = "AllowlistStoreFailed", Level = LogLevel.Warning, Message = "Allowlist store failed during an admin request.")]
        public static partial void StoreFailed(ILogger logger, Exception exception);
    }
}
