namespace HlsGateway.Hosting;

/// <summary>Process-level settings, <c>Gateway:Hosting:*</c>. Read once at start-up.</summary>
internal sealed class HostingOptions
{
    public const string SectionName = "Gateway:Hosting";

    /// <summary>
    /// On SIGTERM / Ctrl+C the whole stop takes at most this long: first the <see cref="DrainDelay"/>
    /// window, then the gateway stops accepting connections and lets in-flight requests (a segment
    /// download, a miss waiting on the origin) finish in what is left, then aborts them and exits.
    /// Default 25 s: inside a typical 30 s container stop grace period.
    /// </summary>
    public TimeSpan ShutdownTimeout { get; set; } = TimeSpan.FromSeconds(25);

    /// <summary>
    /// After SIGTERM, keep listening and serving (in-flight and new requests alike) for this long while
    /// <c>/health/ready</c> answers 503, so load balancers and Kubernetes endpoints take the instance out of
    /// rotation before its listener closes; then the normal graceful stop. Part of
    /// <see cref="ShutdownTimeout"/> (must be shorter than it). Default 0 (no window: a stop behind no
    /// balancer, or a test host, is not delayed); behind a balancer set it above the balancer's
    /// check interval × fall count (docs/health.md), e.g. 00:00:05 or 00:00:10.
    /// </summary>
    public TimeSpan DrainDelay { get; set; } = TimeSpan.Zero;

    /// <summary>
    /// Run request processing inline on the socket I/O threads (Kestrel's
    /// <c>SocketTransportOptions.UnsafePreferInlineScheduling</c>) instead of hopping to the thread pool after every
    /// read and send. A trade-off, measured here: for HTTP/1.1 it lifts large cached segments by 10–18 %, and with
    /// 2,000 players for 5 minutes the thresholds held with it (segment p99 15 ms) and failed without it (playlist
    /// p99 270 ms, RSS 678 MB); for HTTP/2 it costs ~40 % of cached-playlist throughput (still ahead of nginx).
    /// Default true. No gateway request path blocks a thread; set false if you add middleware that may block.
    /// </summary>
    public bool InlineIoScheduling { get; set; } = true;

    /// <summary>
    /// Run socket completions on the runtime's epoll threads, one per core, instead of queuing each to the thread pool
    /// (the runtime's <c>DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS</c>, which this option sets before Kestrel binds:
    /// <see cref="SocketCompletions"/>). Together with <see cref="InlineIoScheduling"/> a request then runs start to end
    /// on the thread that read it, with no thread wake-up in between. Measured here: TLS HTTP/1.1 playlist throughput
    /// +20–30 %, context switches a fifth (benchmarks/README.md "Inline socket completions"). The same trade-off as
    /// <see cref="InlineIoScheduling"/>, stronger: code that blocks a thread in a request path stalls every connection
    /// on that epoll thread. No gateway path blocks (uploads run on their own threads). Default true.
    /// </summary>
    public bool InlineSocketCompletions { get; set; } = true;

    /// <summary>
    /// Size in bytes of the blocks Kestrel's connection pipes (socket, TLS, HTTP/2 frames, response bodies) are made
    /// of (<see cref="IoBlockPool"/>); 0 = Kestrel's own pool (4 KB blocks). Larger blocks move a big cached segment
    /// in fewer pieces (TLS h2 segment rows, benchmarks/README.md "I/O block size"); the cost is memory per request
    /// in flight (a playlist response also takes a whole block while it is written). Between 4096 and 1048576, a
    /// multiple of 4096. Default 65536.
    /// </summary>
    public int IoBlockSize { get; set; } = 64 * 1024;

    /// <summary>
    /// Size in bytes of each awaited write of a cached body to an HTTP/2 response (h2 over TLS and h2c; HTTP/1.x writes
    /// pieces of <c>Kestrel:Limits:MaxResponseBufferSize</c>). Kestrel moves HTTP/2 response data through a pipe per
    /// stream and one frame-writer task per connection, so every write costs two thread-pool hops (the frame writer is
    /// woken for the stream; the write's flush resumes once it took the bytes), each a thread wake-up. Measured here,
    /// 670 KB segment over TLS h2, h2load 64 x 1: 64 KB pieces 36 work items and 761-967 us of server CPU per
    /// response, 256 KB 12 and 644-667 us, nginx 601-639 us (benchmarks/README.md "Thread-pool hops on HTTP/2"). The
    /// cost is memory: an HTTP/2 reader behind a closed window holds one piece in the gateway's pipes, one over TLS with
    /// a full socket about two pieces and the TLS writer's 128 KB (measured: 256 and 640 KB with 256 KB pieces).
    /// Between 16384 and 16777216. Default 262144.
    /// </summary>
    public int Http2WriteChunk { get; set; } = 256 * 1024;
}
