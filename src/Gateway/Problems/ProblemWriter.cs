using System.Text.Json;

namespace HlsGateway.Problems;

/// <summary>
/// Writes RFC 7807 <c>application/problem+json</c> bodies. Kept small and allocation-light rather than
/// going through IProblemDetailsService, because it also runs on the proxy's error paths under load.
/// </summary>
internal static class ProblemWriter
{
    public static async Task WriteAsync(HttpContext context, int status, string title, string? detail = null, string? retryAfter = null, (string Name, string Value)? header = null)
    {
        var response = context.Response;
        if (response.HasStarted)
        {
            context.Abort();
            return;
        }
        response.Clear();
        response.StatusCode = status;
        response.ContentType = "application/problem+json";
        response.Headers.CacheControl = "no-store";
        if (retryAfter is not null)
        {
            response.Headers.RetryAfter = retryAfter;
        }
        if (header is { } h)
        {
            response.Headers[h.Name] = h.Value;
        }
        if (HttpMethods.IsHead(context.Request.Method))
        {
            return;
        }
        using var buffer = new MemoryStream(256);
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("type", $"https://httpstatuses.io/{status}");
            json.WriteString("title", title);
            json.WriteNumber("status", status);
            if (detail is not null)
            {
                json.WriteString("detail", detail);
            }
            json.WriteString("instance", context.Request.Path.Value);
            json.WriteString("traceId", context.TraceIdentifier);
            json.WriteEndObject();
        }
        response.ContentLength = buffer.Length;
        await response.Body.WriteAsync(buffer.GetBuffer().AsMemory(0, (int)buffer.Length), context.RequestAborted).ConfigureAwait(false);
    }
}
