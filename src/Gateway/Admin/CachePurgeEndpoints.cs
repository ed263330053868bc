using System.Text.Json;
using HlsGateway.Caching;
using HlsGateway.Problems;
using HlsGateway.Proxy;

namespace HlsGateway.Admin;

/// <summary>
/// <c>POST /admin/cache/purge</c> with <c>{"path": "/hls/&lt;origin&gt;/&lt;path&gt;"}</c> (that object, under any query)
/// or <c>{"prefix": "/hls/&lt;origin&gt;/&lt;dir&gt;/"}</c> (everything below) → <c>{"purged": N, "instances": K}</c>: the
/// next request for it on every instance is a miss (<see cref="CachePurger"/>). Behind the admin policy.
/// The path is matched as the players request it (the cache key), percent-encoding included.
/// </summary>
internal static class CachePurgeEndpoints
{
    public const string Path = "/admin/cache/purge";
    private const int MaxBodyBytes = 16 * 1024;

    public static IEndpointConventionBuilder MapCachePurge(this IEndpointRouteBuilder endpoints) =>
        endpoints.MapPost(Path, HandleAsync);

    private static async Task HandleAsync(HttpContext context)
    {
        var ct = context.RequestAborted;
        if (context.Request.ContentLength > MaxBodyBytes)
        {
            await InvalidAsync(context, "body", $"at most {MaxBodyBytes} bytes.").ConfigureAwait(false);
            return;
        }
        string? path = null, prefix = null;
        try
        {
            using var doc = await JsonDocument.ParseAsync(context.Request.Body, cancellationToken: ct).ConfigureAwait(false);
            if (doc.RootElement.ValueKind != JsonValueKind.Object)
            {
                await InvalidAsync(context, "body", "a JSON object {\"path\": ...} or {\"prefix\": ...}.").ConfigureAwait(false);
                return;
            }
            foreach (var property in doc.RootElement.EnumerateObject())
            {
                if (property.Value.ValueKind != JsonValueKind.String || property.Name is not ("path" or "prefix"))
                {
                    await InvalidAsync(context, property.Name, "unknown field, or not a string (send \"path\" or \"prefix\").").ConfigureAwait(false);
                    return;
                }
                if (property.Name == "path") { path = property.Value.GetString(); } else { prefix = property.Value.GetString(); }
            }
        }
        catch (JsonException ex)
        {
            await InvalidAsync(context, "body", $"not JSON ({ex.Message}).").ConfigureAwait(false);
            return;
        }
        if ((path is null) == (prefix is null))
        {
            await InvalidAsync(context, "body", "exactly one of \"path\" and \"prefix\".").ConfigureAwait(false);
            return;
        }
        var field = path is not null ? "path" : "prefix";
        if (!TryParse(path ?? prefix!, exact: path is not null, context.RequestServices.GetRequiredService<OriginRegistry>(), out var target, out var error))
        {
            await InvalidAsync(context, field, error).ConfigureAwait(false);
            return;
        }

        var result = await context.RequestServices.GetRequiredService<CachePurger>().PurgeAsync(target, ct).ConfigureAwait(false);
        if (result.Problem is not null && result.Instances == 1 && !result.Complete)
        {
            // nothing but this instance's memory was purged: the operator must retry
            await ProblemWriter.WriteAsync(context, StatusCodes.Status503ServiceUnavailable, "Purge incomplete",
                $"Purged {result.Purged} entries on this instance only. {result.Problem}.").ConfigureAwait(false);
            return;
        }
        context.Response.ContentType = "application/json";
        context.Response.Headers.CacheControl = "no-store";
        await using var json = new Utf8JsonWriter(context.Response.Body);
        json.WriteStartObject();
        json.WriteNumber("purged", result.Purged);
        json.WriteNumber("instances", result.Instances);
        json.WriteBoolean("complete", result.Complete);
        if (result.Problem is not null)
        {
            json.WriteString("problem", result.Problem);
        }
        json.WriteEndObject();
    }

    /// <summary>"/hls/&lt;origin&gt;/..." → the cache-key prefix, checked: a configured origin, no query, no dot segments.</summary>
    internal static bool TryParse(string value, bool exact, OriginRegistry origins, out PurgeTarget target, out string error)
    {
        target = default;
        const string Hls = "/hls/";
        if (!value.StartsWith(Hls, StringComparison.Ordinal))
        {
            error = "must start with /hls/<origin>/.";
            return false;
        }
        var rest = value[Hls.Length..];
        var slash = rest.IndexOf('/');
        if (slash <= 0)
        {
            error = "must name an origin: /hls/<origin>/...";
            return false;
        }
        if (!origins.TryGet(rest.AsSpan(0, slash), out _))
        {
            error = $"no origin '{rest[..slash]}' is configured.";
            return false;
        }
        if (rest.AsSpan().IndexOfAny('?', '#') >= 0 || rest.Any(char.IsControl))
        {
            error = "a path without query, fragment or control characters.";
            return false;
        }
        if (rest.Contains("//", StringComparison.Ordinal) || rest.Contains("/./", StringComparison.Ordinal) || rest.Contains("/../", StringComparison.Ordinal)
            || rest.EndsWith("/.", StringComparison.Ordinal) || rest.EndsWith("/..", StringComparison.Ordinal))
        {
            error = "no empty, '.' or '..' segments.";
            return false;
        }
        if (exact == rest.EndsWith('/'))
        {
            error = exact ? "a path names one object; to purge a directory send it as \"prefix\"." : "a prefix ends with '/' (a directory).";
            return false;
        }
        if (exact && slash == rest.Length - 1)
        {
            error = "must name an object below the origin.";
            return false;
        }
        target = new PurgeTarget(rest, exact);
        error = "";
        return true;
    }

    private static Task InvalidAsync(HttpContext context, string field, string message) =>
        ProblemWriter.WriteAsync(context, StatusCodes.Status400BadRequest, $"Invalid {field}", $"{field}: {message}");
}
