using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace HlsGateway.Monitor;

/// <summary>Reports every invalid <c>Monitor:*</c> value at once, each naming its key.</summary>
internal sealed class MonitorOptionsValidator(IConfiguration configuration) : IValidateOptions<MonitorOptions>
{
    private const string AdminTokenKey = "Gateway:Admin:Token";

    public ValidateOptionsResult Validate(string? name, MonitorOptions options)
    {
        var errors = new List<string>();
        if (!(options.RefreshSeconds is >= 0.5 and <= 60))
        {
            errors.Add($"Monitor:RefreshSeconds must be between 0.5 and 60 (got {options.RefreshSeconds}).");
        }
        if (options.RequireAdminToken && string.IsNullOrWhiteSpace(configuration[AdminTokenKey]))
        {
            errors.Add($"Monitor:RequireAdminToken is true but {AdminTokenKey} is not set.");
        }
        if (options.OriginProbePath.Contains("://", StringComparison.Ordinal) || options.OriginProbePath.Contains("..", StringComparison.Ordinal))
        {
            errors.Add("Monitor:OriginProbePath must be a relative path below the origin's base URL.");
        }
        if (options.OriginProbeInterval < TimeSpan.FromSeconds(1))
        {
            errors.Add("Monitor:OriginProbeInterval must be at least 1 s.");
        }
        if (options.OriginProbeTimeout <= TimeSpan.Zero)
        {
            errors.Add("Monitor:OriginProbeTimeout must be positive.");
        }
        if (options.RedisProbeTimeout <= TimeSpan.Zero)
        {
            errors.Add("Monitor:RedisProbeTimeout must be positive.");
        }
        if (options.ViewerWindow < TimeSpan.FromSeconds(1))
        {
            errors.Add("Monitor:ViewerWindow must be at least 1 s.");
        }
        if (options.MaxTrackedStreams is < 1 or > 1_000_000)
        {
            errors.Add("Monitor:MaxTrackedStreams must be between 1 and 1000000.");
        }
        if (options.MaxViewersPerStream is < 1 or > 10_000_000)
        {
            errors.Add("Monitor:MaxViewersPerStream must be between 1 and 10000000.");
        }
        if (options.TopStreams is < 0 or > 1000)
        {
            errors.Add("Monitor:TopStreams must be between 0 and 1000.");
        }
        if (options.StreamMetricsTopN is < 0 or > 100)
        {
            errors.Add("Monitor:StreamMetricsTopN must be between 0 and 100 (it bounds label cardinality).");
        }
        if (options.MaxOriginLabels is < 1 or > 1000)
        {
            errors.Add("Monitor:MaxOriginLabels must be between 1 and 1000.");
        }
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
