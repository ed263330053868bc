namespace HlsGateway.Hosting;

/// <summary>
/// Kestrel's connection and request limits, bound from <c>Kestrel:Limits</c> (the key names are
/// Kestrel's own). Defaults suit an HLS edge: players send small GET requests with a signed URL and
/// a few headers, keep one connection and reload a playlist every few seconds; nothing uploads media.
/// Read once at start-up (Kestrel does not re-apply limits on reload).
/// </summary>
internal sealed class KestrelLimitsOptions
{
    public const string SectionName = "Kestrel:Limits";

    /// <summary>Open connections (HTTP/1.1 + HTTP/2) beyond which new ones are closed on accept. Default 10,000; 0 = unlimited.</summary>
    public long MaxConcurrentConnections { get; set; } = 10_000;

    /// <summary>
    /// Response bytes Kestrel buffers per connection before a write waits for the socket. Default 64 KiB (Kestrel's);
    /// 0 = unlimited. Larger lets a cached segment go out with fewer wake-ups per response, at that much memory per slow client.
    /// </summary>
    public long MaxResponseBufferSize { get; set; } = 64 * 1024;

    /// <summary>Request body bytes. Media is GET; only small admin JSON has a body. Default 64 KiB (413 beyond).</summary>
    public long MaxRequestBodySize { get; set; } = 64 * 1024;

    /// <summary>All request header bytes (HTTP/1.1 and HTTP/2). Default 16 KiB (431 beyond).</summary>
    public int MaxRequestHeadersTotalSize { get; set; } = 16 * 1024;

    /// <summary>Request headers per request. Default 64 (431 beyond).</summary>
    public int MaxRequestHeaderCount { get; set; } = 64;

    /// <summary>HTTP/1.1 request line (method, URL with its signature query, version). Default 8 KiB (414 beyond).</summary>
    public int MaxRequestLineSize { get; set; } = 8 * 1024;

    /// <summary>Idle time between requests on a kept-alive connection; players reload every target duration. Default 30 s.</summary>
    public TimeSpan KeepAliveTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Time to receive all request headers (slowloris). Default 10 s.</summary>
    public TimeSpan RequestHeadersTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Slowest accepted request body upload. Default 240 B/s after a 5 s grace period; BytesPerSecond 0 disables.</summary>
    public DataRate MinRequestBodyDataRate { get; set; } = new();

    /// <summary>Slowest accepted reader of a response (a stalled player holding a segment). Default 240 B/s after 5 s; 0 disables.</summary>
    public DataRate MinResponseDataRate { get; set; } = new();

    public Http2Limits Http2 { get; set; } = new();

    /// <summary>A minimum data rate: <c>BytesPerSecond</c> after <c>GracePeriod</c>.</summary>
    internal sealed class DataRate
    {
        public double BytesPerSecond { get; set; } = 240;

        public TimeSpan GracePeriod { get; set; } = TimeSpan.FromSeconds(5);
    }

    /// <summary><c>Kestrel:Limits:Http2:*</c>.</summary>
    internal sealed class Http2Limits
    {
        /// <summary>Concurrent streams per connection (SETTINGS_MAX_CONCURRENT_STREAMS); a player needs a handful. Default 100.</summary>
        public int MaxStreamsPerConnection { get; set; } = 100;

        /// <summary>Connection receive window: request bodies only (media is GET), so small. Default 128 KiB.</summary>
        public int InitialConnectionWindowSize { get; set; } = 128 * 1024;

        /// <summary>Per-stream receive window (SETTINGS_INITIAL_WINDOW_SIZE). Default 64 KiB.</summary>
        public int InitialStreamWindowSize { get; set; } = 64 * 1024;

        /// <summary>HPACK dynamic table size. Default 4096.</summary>
        public int HeaderTableSize { get; set; } = 4096;

        /// <summary>Largest frame payload the client may send. Default 16 KiB (the protocol minimum).</summary>
        public int MaxFrameSize { get; set; } = 16 * 1024;

        /// <summary>Largest single decoded header field. Default 8 KiB (a signed :path fits easily).</summary>
        public int MaxRequestHeaderFieldSize { get; set; } = 8 * 1024;

        /// <summary>Idle time before the server pings a client to detect a dead connection. Default 30 s.</summary>
        public TimeSpan KeepAlivePingDelay { get; set; } = TimeSpan.FromSeconds(30);

        /// <summary>Time a ping may go unanswered before the connection is closed. Default 20 s.</summary>
        public TimeSpan KeepAlivePingTimeout { get; set; } = TimeSpan.FromSeconds(20);
    }
}
