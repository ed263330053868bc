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

    /// <summary>
    /// Run request processing inline on the socket I/O threads (Kestrel's
    /// <c>SocketTransportOptions.UnsafePreferInlineScheduling</c>) instead of hopping to the thread pool after every
    /// read and send. Default true: no request path of the gateway blocks a thread, and at 2,000 players
    /// (benchmarks/run-players.sh) it cut segment p99 from 29 to 16 ms and what a segment write borrows from the
    /// shared array pool. Set false when you add middleware that may block (sync I/O, locks), which would
    /// otherwise stall every connection on that socket thread.
    /// </summary>
    public bool InlineIoScheduling { get; set; } = true;
}
