using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace HlsGateway.Monitor.Health;

/// <summary>
/// JSON body for /health*: overall status, the instance's readiness state (starting, ready, draining),
/// one reason per check that is not healthy ("redis: not connected, serving from memory"), then each
/// check's status, duration, description, error and data (origins as objects). Written with
/// Utf8JsonWriter: no reflection.
/// </summary>
internal static class HealthResponseWriter
{
    public static async Task WriteAsync(HttpContext context, HealthReport report)
    {
        context.Response.ContentType = "application/json; charset=utf-8";
        context.Response.Headers.CacheControl = "no-store";
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            json.WriteStartObject();
            json.WriteString("status", report.Status.ToString());
            if (context.RequestServices.GetService<ReadinessGate>() is { } gate)
            {
                json.WriteString("state", ReadinessGate.Name(gate.State));
            }
            json.WriteStartArray("reasons");
            foreach (var (name, entry) in report.Entries)
            {
                if (entry.Status != HealthStatus.Healthy)
                {
                    json.WriteStringValue($"{name}: {entry.Description ?? entry.Exception?.Message ?? entry.Status.ToString()}");
                }
            }
            json.WriteEndArray();
            json.WriteNumber("totalDurationMs", Math.Round(report.TotalDuration.TotalMilliseconds, 3));
            json.WriteStartObject("checks");
            foreach (var (name, entry) in report.Entries)
            {
                json.WriteStartObject(name);
                json.WriteString("status", entry.Status.ToString());
                json.WriteNumber("durationMs", Math.Round(entry.Duration.TotalMilliseconds, 3));
                WriteNullable(json, "description", entry.Description);
                WriteNullable(json, "error", entry.Exception?.Message ?? (entry.Status == HealthStatus.Healthy ? null : entry.Description));
                json.WriteStartObject("data");
                foreach (var (key, value) in entry.Data)
                {
                    json.WritePropertyName(key);
                    WriteValue(json, value);
                }
                json.WriteEndObject();
                json.WriteEndObject();
            }
            json.WriteEndObject();
            json.WriteEndObject();
        }
        await context.Response.Body.WriteAsync(buffer.GetBuffer().AsMemory(0, (int)buffer.Length), context.RequestAborted).ConfigureAwait(false);
    }

    private static void WriteValue(Utf8JsonWriter json, object? value)
    {
        switch (value)
        {
            case null:
                json.WriteNullValue();
                break;
            case bool b:
                json.WriteBooleanValue(b);
                break;
            case int or long or double:
                json.WriteNumberValue(Convert.ToDouble(value, System.Globalization.CultureInfo.InvariantCulture));
                break;
            case OriginHealth o:
                json.WriteStartObject();
                json.WriteString("status", o.Status);
                json.WriteString("url", o.Url);
                WriteNullable(json, "statusCode", o.StatusCode);
                WriteNullable(json, "latencyMs", o.LatencyMs);
                WriteNullable(json, "error", o.Error);
                if (o.CheckedAt is { } at)
                {
                    json.WriteString("checkedAt", at);
                }
                else
                {
                    json.WriteNull("checkedAt");
                }
                json.WriteEndObject();
                break;
            default:
                json.WriteStringValue(value.ToString());
                break;
        }
    }

    private static void WriteNullable(Utf8JsonWriter json, string name, string? value)
    {
        if (value is null)
        {
            json.WriteNull(name);
        }
        else
        {
            json.WriteString(name, value);
        }
    }

    private static void WriteNullable(Utf8JsonWriter json, string name, double? value)
    {
        if (value is { } v)
        {
            json.WriteNumber(name, v);
        }
        else
        {
            json.WriteNull(name);
        }
    }
}
