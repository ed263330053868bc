using System.Net;

namespace HlsGateway.Operations;

/// <summary>
/// What the request path hands the writer: references and numbers only, no formatting, no strings built.
/// <see cref="OriginSeconds"/> is negative when this request did not fetch from the origin itself.
/// </summary>
internal readonly record struct AccessLogEntry(
    DateTimeOffset Time,
    IPAddress? Client,
    string Method,
    string Target,
    int Status,
    long Bytes,
    double DurationSeconds,
    string? Cache,
    double OriginSeconds);
