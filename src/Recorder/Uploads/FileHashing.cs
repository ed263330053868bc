using System.Buffers;
using System.Security.Cryptography;

namespace HlsGateway.Recorder.Uploads;

/// <summary>SHA-256 of files and streams with a pooled buffer.</summary>
internal static class FileHashing
{
    private const int BufferSize = 256 * 1024;

    public static async ValueTask<string> Sha256FileAsync(string path, CancellationToken cancellationToken)
    {
        await using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.Asynchronous | FileOptions.SequentialScan);
        return await Sha256Async(stream, cancellationToken).ConfigureAwait(false);
    }

    public static ValueTask<string> Sha256Async(Stream stream, CancellationToken cancellationToken) =>
        Sha256Async(stream, UploadBandwidth.Unlimited, cancellationToken);

    /// <summary>Hashes a stream read from the target (a verification read-back), within the upload bandwidth cap.</summary>
    public static async ValueTask<string> Sha256Async(Stream stream, UploadBandwidth bandwidth, CancellationToken cancellationToken)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = ArrayPool<byte>.Shared.Rent(BufferSize);
        try
        {
            int read;
            while ((read = await stream.ReadAsync(buffer.AsMemory(0, BufferSize), cancellationToken).ConfigureAwait(false)) > 0)
            {
                await bandwidth.AcquireAsync(read, cancellationToken).ConfigureAwait(false);
                hash.AppendData(buffer, 0, read);
            }
            return Convert.ToHexStringLower(hash.GetHashAndReset());
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
