namespace HlsGateway.Operations;

/// <summary>Checks <c>Gateway:AccessLog:*</c> and <c>Gateway:Tracing:*</c>, every error naming its key.</summary>
internal static class OperationsValidator
{
    public static List<string> Validate(AccessLogOptions log, TracingOptions tracing)
    {
        var errors = new List<string>();
        const string a = AccessLogOptions.SectionName, t = TracingOptions.SectionName;
        if (!string.Equals(log.Format, "Text", StringComparison.OrdinalIgnoreCase) && !log.IsJson)
        {
            errors.Add($"{a}:Format: '{log.Format}' is neither Text nor Json.");
        }
        if (log.QueueCapacity is < 16 or > 10_000_000)
        {
            errors.Add($"{a}:QueueCapacity: must be between 16 and 10000000 (got {log.QueueCapacity}).");
        }
        if (log.Path is { Length: > 0 } path && path.IndexOfAny(System.IO.Path.GetInvalidPathChars()) >= 0)
        {
            errors.Add($"{a}:Path: '{path}' is not a valid file path.");
        }
        if (tracing.Enabled && (!Uri.TryCreate(tracing.OtlpEndpoint, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https")))
        {
            errors.Add($"{t}:OtlpEndpoint: '{tracing.OtlpEndpoint}' is not an absolute http(s) URL.");
        }
        if (!string.Equals(tracing.Protocol, "HttpProtobuf", StringComparison.OrdinalIgnoreCase) && !string.Equals(tracing.Protocol, "Grpc", StringComparison.OrdinalIgnoreCase))
        {
            errors.Add($"{t}:Protocol: '{tracing.Protocol}' is neither HttpProtobuf nor Grpc.");
        }
        if (string.IsNullOrWhiteSpace(tracing.ServiceName))
        {
            errors.Add($"{t}:ServiceName: must not be empty.");
        }
        if (tracing.SampleRatio is < 0 or > 1 || double.IsNaN(tracing.SampleRatio))
        {
            errors.Add($"{t}:SampleRatio: must be between 0 and 1 (got {tracing.SampleRatio}).");
        }
        return errors;
    }
}
