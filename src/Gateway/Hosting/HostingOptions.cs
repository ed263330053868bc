namespace HlsGateway.Hosting;

/// <summary>Process-level settings, <c>Gateway:Hosting:*</c>. Read once at start-up.</summary>
internal sealed class HostingOptions
{
    public const string SectionName = "Gateway:Hosting";

    /// <summary>
    /// On SIGTERM / Ctrl+C the gateway stops accepting connections and lets in-flight requests
    /// (a segment download, a miss waiting on the origin) finish for at most this long, then aborts
    /// them and exits. Default 25 s: inside a typical 30 s container stop grace period.
    /// </summary>
    public TimeSpan ShutdownTimeout { get; set; } = TimeSpan.FromSeconds(25);
}
