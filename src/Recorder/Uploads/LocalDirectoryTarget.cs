using System.Buffers;
using Microsoft.Win32.SafeHandles;

namespace HlsGateway.Recorder.Uploads;

/// <summary>
/// Copies parts into a local or mounted network directory: to <c>&lt;key&gt;.uploading</c> first (resumed from its
/// length on a retry), fsync, re-read and hash what landed, then an atomic rename to the final name. A reader of
/// the target directory never sees a half-copied part under its real name.
/// </summary>
internal sealed class LocalDirectoryTarget(string directory, long minFreeBytes, UploadBandwidth? bandwidth = null, UploadThreads? threads = null) : IUploadTarget
{
    private const int BufferSize = 1024 * 1024;
    private const long HopBytes = 16L * 1024 * 1024;
    private readonly string _root = Path.TrimEndingDirectorySeparator(Path.GetFullPath(directory));

    private readonly UploadBandwidth _bandwidth = bandwidth ?? UploadBandwidth.Unlimited;
    private readonly UploadThreads _threads = threads ?? UploadThreads.Shared;

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

        // the copy runs on upload threads in hops of HopBytes, with progress reported between hops (on the pool)
        using (var source = File.OpenHandle(request.LocalPath, FileMode.Open, FileAccess.Read, FileShare.Read, FileOptions.SequentialScan))
        using (var target = File.OpenHandle(temp, FileMode.OpenOrCreate, FileAccess.Write, FileShare.None))
        {
            // resume after what an earlier attempt flushed (a longer temp file than the source is junk: restart)
            var sourceLength = RandomAccess.GetLength(source);
            var targetLength = RandomAccess.GetLength(target);
            var offset = targetLength <= sourceLength ? targetLength : 0;
            EnsureSpace(request.Length - offset);
            RandomAccess.SetLength(target, offset);
            progress.Report(offset);
            while (true)
            {
                await _bandwidth.WhenRunningAsync(cancellationToken).ConfigureAwait(false);
                var from = offset;
                var copied = await _threads.RunAsync(() => CopyHop(source, target, from, cancellationToken), cancellationToken).ConfigureAwait(false);
                if (copied == 0)
                {
                    break;
                }
                offset += copied;
                progress.Report(offset);
            }
            await _threads.RunAsync(() => RandomAccess.FlushToDisk(target), cancellationToken).ConfigureAwait(false);
        }

        await _bandwidth.WhenRunningAsync(cancellationToken).ConfigureAwait(false);
        var sha = await FileHashing.Sha256FileAsync(temp, _threads, cancellationToken).ConfigureAwait(false);
        if (!string.Equals(sha, request.Sha256, StringComparison.OrdinalIgnoreCase))
        {
            File.Delete(temp); // a bad copy must not be resumed onto
            return new UploadResult(final, sha);
        }
        File.Move(temp, final, overwrite: true);
        return new UploadResult(final, sha);
    }

    /// <summary>Blocking: copies up to <see cref="HopBytes"/> from <paramref name="offset"/>; 0 at the end of the source.</summary>
    private long CopyHop(SafeFileHandle source, SafeFileHandle target, long offset, CancellationToken cancellationToken)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(BufferSize);
        try
        {
            long copied = 0;
            while (copied < HopBytes)
            {
                cancellationToken.ThrowIfCancellationRequested();
                _threads.Pace(BufferSize);
                var read = RandomAccess.Read(source, buffer.AsSpan(0, BufferSize), offset + copied);
                if (read == 0)
                {
                    break;
                }
                _bandwidth.Acquire(read, cancellationToken);
                RandomAccess.Write(target, buffer.AsSpan(0, read), offset + copied);
                copied += read;
            }
            return copied;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
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
