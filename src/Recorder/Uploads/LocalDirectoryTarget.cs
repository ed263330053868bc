using System.Buffers;

namespace HlsGateway.Recorder.Uploads;

/// <summary>
/// Copies parts into a local or mounted network directory: to <c>&lt;key&gt;.uploading</c> first (resumed from its
/// length on a retry), fsync, re-read and hash what landed, then an atomic rename to the final name. A reader of
/// the target directory never sees a half-copied part under its real name.
/// </summary>
internal sealed class LocalDirectoryTarget(string directory, long minFreeBytes, UploadBandwidth? bandwidth = null) : IUploadTarget
{
    private const int BufferSize = 1024 * 1024;
    private readonly string _root = Path.TrimEndingDirectorySeparator(Path.GetFullPath(directory));

    private readonly UploadBandwidth _bandwidth = bandwidth ?? UploadBandwidth.Unlimited;

    public string Name => "directory";

    public async ValueTask<UploadResult> UploadAsync(UploadRequest request, IProgress<long> progress, CancellationToken cancellationToken)
    {
        var final = Path.GetFullPath(Path.Combine(_root, request.RemoteKey));
        if (!final.StartsWith(_root + Path.DirectorySeparatorChar, StringComparison.Ordinal))
        {
            throw new InvalidOperationException($"remote key '{request.RemoteKey}' leaves the target directory");
        }
        Directory.CreateDirectory(Path.GetDirectoryName(final)!);
        var temp = final + ".uploading";

        await using (var source = new FileStream(request.LocalPath, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.Asynchronous | FileOptions.SequentialScan))
        await using (var target = new FileStream(temp, FileMode.OpenOrCreate, FileAccess.Write, FileShare.None, 1, FileOptions.Asynchronous))
        {
            // resume after what an earlier attempt flushed (a longer temp file than the source is junk: restart)
            var offset = target.Length <= source.Length ? target.Length : 0;
            EnsureSpace(request.Length - offset);
            target.SetLength(offset);
            target.Position = offset;
            source.Position = offset;
            progress.Report(offset);
            var buffer = ArrayPool<byte>.Shared.Rent(BufferSize);
            try
            {
                int read;
                while ((read = await source.ReadAsync(buffer.AsMemory(0, BufferSize), cancellationToken).ConfigureAwait(false)) > 0)
                {
                    await _bandwidth.AcquireAsync(read, cancellationToken).ConfigureAwait(false);
                    await target.WriteAsync(buffer.AsMemory(0, read), cancellationToken).ConfigureAwait(false);
                    offset += read;
                    progress.Report(offset);
                }
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }
            await target.FlushAsync(cancellationToken).ConfigureAwait(false);
            target.Flush(flushToDisk: true);
        }

        var sha = await FileHashing.Sha256FileAsync(temp, cancellationToken).ConfigureAwait(false);
        if (!string.Equals(sha, request.Sha256, StringComparison.OrdinalIgnoreCase))
        {
            File.Delete(temp); // a bad copy must not be resumed onto
            return new UploadResult(final, sha);
        }
        File.Move(temp, final, overwrite: true);
        return new UploadResult(final, sha);
    }

    private void EnsureSpace(long needed)
    {
        if (minFreeBytes <= 0 && needed <= 0)
        {
            return;
        }
        var free = new DriveInfo(_root).AvailableFreeSpace;
        if (free - needed < minFreeBytes)
        {
            throw new IOException($"target directory has {free} bytes free; {needed} needed plus Recorder:Upload:MinFreeBytes {minFreeBytes}");
        }
    }
}
