using System.Buffers;
using System.Net;

namespace HlsGateway.Recorder.Uploads;

/// <summary>
/// An HTTP body that streams <c>length</c> bytes of a file from <c>offset</c> straight to the socket (no chunk-sized
/// buffer to fill first), so a PATCH of a large chunk costs one pooled 256 KB buffer. The copy runs on
/// <see cref="UploadThreads"/> with blocking reads and writes: the socket send (and the loopback or NIC work the
/// kernel does in it) then happens at the upload priority, not on the pool that serves players.
/// </summary>
internal sealed class FileSliceContent(string path, long offset, long length, UploadBandwidth bandwidth, UploadThreads threads) : HttpContent
{
    private const int BufferSize = 256 * 1024;

    protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context, CancellationToken cancellationToken) =>
        threads.RunAsync(() => Copy(stream, cancellationToken), cancellationToken);

    protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) => SerializeToStreamAsync(stream, context, CancellationToken.None);

    protected override void SerializeToStream(Stream stream, TransportContext? context, CancellationToken cancellationToken) => Copy(stream, cancellationToken);

    protected override bool TryComputeLength(out long size)
    {
        size = length;
        return true;
    }

    private void Copy(Stream stream, CancellationToken cancellationToken)
    {
        using var file = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.Read, FileOptions.SequentialScan);
        var buffer = ArrayPool<byte>.Shared.Rent(BufferSize);
        try
        {
            long done = 0;
            while (done < length)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var want = (int)Math.Min(BufferSize, length - done);
                threads.Pace(want);
                var n = RandomAccess.Read(file, buffer.AsSpan(0, want), offset + done);
                if (n == 0)
                {
                    throw new IOException($"{path} ended {length - done} bytes early (it changed while uploading)");
                }
                bandwidth.Acquire(n, cancellationToken);
                stream.Write(buffer, 0, n);
                done += n;
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
