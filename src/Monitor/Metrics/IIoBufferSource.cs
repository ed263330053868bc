namespace HlsGateway.Monitor.Metrics;

/// <summary>
/// The connection I/O buffers the server holds (Kestrel's pipes between the sockets, TLS and the responses), sampled
/// at scrape time as <c>hlsgw_io_buffer_bytes</c>. They are pinned memory: when RSS grows with slow players, this is
/// where it shows. Absent when the gateway runs on Kestrel's own pool (<c>Gateway:Hosting:IoBlockSize</c> 0).
/// </summary>
public interface IIoBufferSource
{
    /// <summary>Bytes rented by connections now.</summary>
    long BytesInUse { get; }

    /// <summary>Bytes kept for reuse.</summary>
    long BytesFree { get; }
}
