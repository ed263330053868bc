using System.Net;

namespace HlsGateway.Recorder.Uploads;

/// <summary>
/// An HTTP body that streams <c>length</c> bytes of a file from <c>offset</c> straight to the socket (no chunk-sized
/// buffer to fill first), so a PATCH of a large chunk costs one pooled 256 KB buffer and overlaps disk and socket.
/// </summary>
internal sealed class FileSliceContent(string path, long offset, long length, UploadBandwidth bandwidth) : HttpContent
{
    private const int BufferSize = 256 * 1024;

    protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context, CancellationToken cancellationToken)
    {
        await using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.Asynchronous | FileOptions.SequentialScan);
        file.Position = offset;
        var buffer = System.Buffers.ArrayPool<byte>.Shared.Rent(BufferSize);
        try
        {
            long done = 0;
            while (done < length)
            {
                var n = await file.ReadAsync(buffer.AsMemory(0, (int)Math.Min(BufferSize, length - done)), cancellationToken).ConfigureAwait(false);
                if (n == 0)
                {
                    throw new IOException($"{path} ended {length - done} bytes early (it changed while uploading)");
                }
                await bandwidth.AcquireAsync(n, cancellationToken).ConfigureAwait(false);
                await stream.WriteAsync(buffer.AsMemory(0, n), cancellationToken).ConfigureAwait(false);
                done += n;
            }
        }
        finally
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) => SerializeToStreamAsync(stream, context, CancellationToken.None);

    protected override bool TryComputeLength(out long size)
    {
        size = length;
        return true;
    }
}
