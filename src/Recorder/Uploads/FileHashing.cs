using System.Buffers;
using System.Security.Cryptography;

namespace HlsGateway.Recorder.Uploads;

/// <summary>
/// SHA-256 of files and streams with a pooled buffer. The work runs on <see cref="UploadThreads"/> (blocking reads
/// and hashing at the upload priority), so hashing a GB-sized part never takes CPU from players on the pool.
/// </summary>
internal static class FileHashing
{
    private const int BufferSize = 256 * 1024;

    public static Task<string> Sha256FileAsync(string path, UploadThreads threads, CancellationToken cancellationToken) =>
        threads.RunAsync(() =>
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.SequentialScan);
            return Sha256(stream, UploadBandwidth.Unlimited, threads, cancellationToken);
        }, cancellationToken);

    /// <summary>Hashes a stream read from the target (a verification read-back), within the upload bandwidth cap.</summary>
    public static Task<string> Sha256Async(Stream stream, UploadBandwidth bandwidth, UploadThreads threads, CancellationToken cancellationToken) =>
        threads.RunAsync(() => Sha256(stream, bandwidth, threads, cancellationToken), cancellationToken);

    /// <summary>Blocking: call it on an upload thread.</summary>
    public static string Sha256(Stream stream, UploadBandwidth bandwidth, UploadThreads threads, CancellationToken cancellationToken)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = ArrayPool<byte>.Shared.Rent(BufferSize);
        try
        {
            int read;
            while (true)
            {
                threads.Pace(BufferSize);
                if ((read = stream.Read(buffer, 0, BufferSize)) <= 0)
                {
                    break;
                }
                cancellationToken.ThrowIfCancellationRequested();
                bandwidth.Acquire(read, cancellationToken);
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
