namespace HlsGateway.Operations;

/// <summary>
/// <c>Gateway:AccessLog</c>: one line per request (docs/operations.md). Read at start-up only.
/// Off by default: at edge request rates a line per request is a disk or journal load the operator
/// should choose, and /metrics already carries the aggregates.
/// </summary>
internal sealed class AccessLogOptions
{
    public const string SectionName = "Gateway:AccessLog";

    /// <summary>Write the access log. Default false.</summary>
    public bool Enabled { get; set; }

    /// <summary><c>Text</c> (space separated, one line per request) or <c>Json</c> (one object per line). Default Text.</summary>
    public string Format { get; set; } = "Text";

    /// <summary>
    /// File the lines are appended to (created if missing; rotate with logrotate <c>copytruncate</c>).
    /// Empty: the lines go to the logging pipeline as category <c>HlsGateway.AccessLog</c>, event 7400, level Information.
    /// </summary>
    public string? Path { get; set; }

    /// <summary>Lines waiting for the writer; when full, new lines are dropped and counted (requests never wait). Default 16384.</summary>
    public int QueueCapacity { get; set; } = 16_384;

    public bool IsJson => string.Equals(Format, "Json", StringComparison.OrdinalIgnoreCase);
}
