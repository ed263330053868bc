namespace HlsGateway.Hosting;

/// <summary>
/// Checks <c>Kestrel:Limits:*</c> and <c>Gateway:Hosting:*</c> against the ranges Kestrel and the
/// host accept, reporting every error at once, each naming its key (Kestrel itself would throw one
/// ArgumentOutOfRangeException at listen time without saying which setting).
/// </summary>
internal static class ServerHostingValidator
{
    public static List<string> Validate(KestrelLimitsOptions limits, HostingOptions hosting)
    {
        var errors = new List<string>();
        const string k = KestrelLimitsOptions.SectionName;
        Range(errors, $"{k}:MaxConcurrentConnections", limits.MaxConcurrentConnections, 0, long.MaxValue, "0 = unlimited");
        Range(errors, $"{k}:MaxRequestBodySize", limits.MaxRequestBodySize, 0, long.MaxValue);
        Range(errors, $"{k}:MaxResponseBufferSize", limits.MaxResponseBufferSize, 0, 64L * 1024 * 1024, "0 = unlimited");
        Range(errors, $"{k}:MaxRequestHeadersTotalSize", limits.MaxRequestHeadersTotalSize, 1024, 1024 * 1024);
        Range(errors, $"{k}:MaxRequestHeaderCount", limits.MaxRequestHeaderCount, 1, 1000);
        Range(errors, $"{k}:MaxRequestLineSize", limits.MaxRequestLineSize, 256, 1024 * 1024);
        Positive(errors, $"{k}:KeepAliveTimeout", limits.KeepAliveTimeout);
        Positive(errors, $"{k}:RequestHeadersTimeout", limits.RequestHeadersTimeout);
        Rate(errors, $"{k}:MinRequestBodyDataRate", limits.MinRequestBodyDataRate);
        Rate(errors, $"{k}:MinResponseDataRate", limits.MinResponseDataRate);

        var h2 = limits.Http2;
        const string h = $"{k}:Http2";
        Range(errors, $"{h}:MaxStreamsPerConnection", h2.MaxStreamsPerConnection, 1, 10_000);
        // RFC 9113 6.9.2: windows are at least the protocol default 65,535 and at most 2^31-1.
        Range(errors, $"{h}:InitialConnectionWindowSize", h2.InitialConnectionWindowSize, 65_535, int.MaxValue);
        Range(errors, $"{h}:InitialStreamWindowSize", h2.InitialStreamWindowSize, 65_535, int.MaxValue);
        if (h2.InitialStreamWindowSize > h2.InitialConnectionWindowSize)
        {
            errors.Add($"{h}:InitialStreamWindowSize: must not exceed {h}:InitialConnectionWindowSize (one stream could starve the others).");
        }
        Range(errors, $"{h}:HeaderTableSize", h2.HeaderTableSize, 0, 1024 * 1024);
        Range(errors, $"{h}:MaxFrameSize", h2.MaxFrameSize, 16_384, 16_777_215, "RFC 9113 bounds");
        Range(errors, $"{h}:MaxRequestHeaderFieldSize", h2.MaxRequestHeaderFieldSize, 256, 1024 * 1024);
        Positive(errors, $"{h}:KeepAlivePingDelay", h2.KeepAlivePingDelay);
        Positive(errors, $"{h}:KeepAlivePingTimeout", h2.KeepAlivePingTimeout);

        if (hosting.ShutdownTimeout <= TimeSpan.Zero || hosting.ShutdownTimeout > TimeSpan.FromMinutes(10))
        {
            errors.Add($"{HostingOptions.SectionName}:ShutdownTimeout: must be between 00:00:00.001 and 00:10:00 (was {hosting.ShutdownTimeout}).");
        }
        if (hosting.DrainDelay < TimeSpan.Zero || hosting.DrainDelay > TimeSpan.FromMinutes(5))
        {
            errors.Add($"{HostingOptions.SectionName}:DrainDelay: must be between 00:00:00 (off) and 00:05:00 (was {hosting.DrainDelay}).");
        }
        else if (hosting.DrainDelay > TimeSpan.Zero && hosting.DrainDelay >= hosting.ShutdownTimeout)
        {
            // the drain window is spent out of the shutdown budget; nothing would be left for in-flight requests
            errors.Add($"{HostingOptions.SectionName}:DrainDelay: must be shorter than {HostingOptions.SectionName}:ShutdownTimeout ({hosting.ShutdownTimeout}), which it is part of (was {hosting.DrainDelay}).");
        }
        if (hosting.Http2WriteChunk < 16 * 1024 || hosting.Http2WriteChunk > 16 * 1024 * 1024)
        {
            errors.Add($"{HostingOptions.SectionName}:Http2WriteChunk: must be between 16384 and 16777216 bytes (was {hosting.Http2WriteChunk}).");
        }
        if (hosting.IoBlockSize != 0 && (hosting.IoBlockSize < 4096 || hosting.IoBlockSize > 1024 * 1024 || hosting.IoBlockSize % 4096 != 0))
        {
            errors.Add($"{HostingOptions.SectionName}:IoBlockSize: must be 0 (Kestrel's 4 KB pool) or a multiple of 4096 between 4096 and 1048576 (was {hosting.IoBlockSize}).");
        }
        return errors;
    }

    private static void Range(List<string> errors, string key, long value, long min, long max, string? note = null)
    {
        if (value < min || value > max)
        {
            errors.Add($"{key}: must be between {min} and {max}{(note is null ? "" : " (" + note + ")")} (was {value}).");
        }
    }

    private static void Positive(List<string> errors, string key, TimeSpan value)
    {
        if (value <= TimeSpan.Zero || value > TimeSpan.FromDays(1))
        {
            errors.Add($"{key}: must be a positive time span of at most a day (was {value}).");
        }
    }

    private static void Rate(List<string> errors, string key, KestrelLimitsOptions.DataRate rate)
    {
        if (rate.BytesPerSecond < 0 || double.IsNaN(rate.BytesPerSecond) || double.IsInfinity(rate.BytesPerSecond))
        {
            errors.Add($"{key}:BytesPerSecond: must be 0 (disabled) or positive (was {rate.BytesPerSecond}).");
        }
        // Kestrel refuses a grace period shorter than its 1 s heartbeat.
        if (rate.BytesPerSecond > 0 && (rate.GracePeriod < TimeSpan.FromSeconds(1) || rate.GracePeriod > TimeSpan.FromHours(1)))
        {
            errors.Add($"{key}:GracePeriod: must be between 00:00:01 and 01:00:00 (was {rate.GracePeriod}).");
        }
    }
}
