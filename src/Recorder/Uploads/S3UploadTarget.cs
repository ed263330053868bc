using System.Buffers;
using System.Net;
using System.Security.Cryptography;
using Amazon;
using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;

namespace HlsGateway.Recorder.Uploads;

/// <summary>
/// S3-compatible target (official AWS SDK): multipart upload of <c>Recorder:Upload:S3:PartSize</c> parts, each part's
/// ETag checked against its MD5, the upload id and acknowledged parts saved after every part. A retry (or a restart)
/// asks ListParts which parts S3 has and sends only the rest; servers without ListParts fall back to the saved list.
/// After completion the object is read back and hashed (SHA-256).
/// </summary>
internal sealed class S3UploadTarget : IUploadTarget, IDisposable
{
    private readonly AmazonS3Client _client;
    private readonly S3UploadOptions _options;
    private readonly UploadBandwidth _bandwidth;
    private readonly UploadThreads _threads;

    public S3UploadTarget(S3UploadOptions options, UploadBandwidth? bandwidth = null, UploadThreads? threads = null)
    {
        _threads = threads ?? UploadThreads.Shared;
        _options = options;
        _bandwidth = bandwidth ?? UploadBandwidth.Unlimited;
        var config = new AmazonS3Config
        {
            ForcePathStyle = options.ForcePathStyle,
            AuthenticationRegion = options.Region,
            // S3-compatible servers often reject the SDK's default trailing CRC checksums; parts are MD5-checked via ETag instead
            RequestChecksumCalculation = RequestChecksumCalculation.WHEN_REQUIRED,
            ResponseChecksumValidation = ResponseChecksumValidation.WHEN_REQUIRED,
        };
        if (!string.IsNullOrWhiteSpace(options.ServiceUrl))
        {
            config.ServiceURL = options.ServiceUrl;
        }
        else
        {
            config.RegionEndpoint = RegionEndpoint.GetBySystemName(options.Region);
        }
        _client = string.IsNullOrEmpty(options.AccessKey)
            ? new AmazonS3Client(config)
            : new AmazonS3Client(new BasicAWSCredentials(options.AccessKey, options.SecretKey), config);
    }

    public string Name => "s3";

    public async ValueTask<UploadResult> UploadAsync(UploadRequest request, IProgress<long> progress, CancellationToken cancellationToken)
    {
        var bucket = _options.Bucket!;
        var key = _options.Prefix + request.RemoteKey;
        var partSize = _options.PartSize;
        var partCount = Math.Max(1, (int)((request.Length + partSize - 1) / partSize));

        var state = S3ResumeState.Parse(request.ResumeState);
        if (state is not null)
        {
            state = await ReconcileAsync(bucket, key, state, request, cancellationToken).ConfigureAwait(false);
        }
        if (state is null)
        {
            var created = await _client.InitiateMultipartUploadAsync(new InitiateMultipartUploadRequest { BucketName = bucket, Key = key }, cancellationToken).ConfigureAwait(false);
            state = new S3ResumeState { UploadId = created.UploadId };
            await request.SaveResumeStateAsync(state.Serialize(), cancellationToken).ConfigureAwait(false);
        }
        progress.Report(Acknowledged(state, request.Length, partSize));

        using (var file = File.OpenHandle(request.LocalPath, FileMode.Open, FileAccess.Read, FileShare.Read))
        {
            var buffer = ArrayPool<byte>.Shared.Rent(partSize);
            try
            {
                for (var n = 1; n <= partCount; n++)
                {
                    if (state.Parts.ContainsKey(n))
                    {
                        continue;
                    }
                    await _bandwidth.WhenRunningAsync(cancellationToken).ConfigureAwait(false);
                    var position = (long)(n - 1) * partSize;
                    var length = (int)Math.Min(partSize, request.Length - position);
                    await _bandwidth.AcquireAsync(length, cancellationToken).ConfigureAwait(false);
                    // the read and the MD5 run on an upload thread; the SDK's send stays on the pool (its API is async only)
                    var md5 = await _threads.RunAsync(() => ReadPart(file, buffer, position, length, request.LocalPath, _threads), cancellationToken).ConfigureAwait(false);
                    using var body = new MemoryStream(buffer, 0, length, writable: false);
                    var response = await _client.UploadPartAsync(new UploadPartRequest
                    {
                        BucketName = bucket,
                        Key = key,
                        UploadId = state.UploadId,
                        PartNumber = n,
                        PartSize = length,
                        InputStream = body,
                        MD5Digest = Convert.ToBase64String(Convert.FromHexString(md5)),
                        UseChunkEncoding = false,
                    }, cancellationToken).ConfigureAwait(false);
                    if (!string.Equals(response.ETag.Trim('"'), md5, StringComparison.OrdinalIgnoreCase))
                    {
                        throw new InvalidDataException($"S3 part {n}: ETag {response.ETag} is not the part's MD5 {md5}");
                    }
                    state.Parts[n] = response.ETag;
                    await request.SaveResumeStateAsync(state.Serialize(), cancellationToken).ConfigureAwait(false);
                    progress.Report(Acknowledged(state, request.Length, partSize));
                }
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }
        }

        await _client.CompleteMultipartUploadAsync(new CompleteMultipartUploadRequest
        {
            BucketName = bucket,
            Key = key,
            UploadId = state.UploadId,
            PartETags = state.Parts.Select(p => new PartETag(p.Key, p.Value)).ToList(),
        }, cancellationToken).ConfigureAwait(false);
        await request.SaveResumeStateAsync(null, cancellationToken).ConfigureAwait(false);

        await _bandwidth.WhenRunningAsync(cancellationToken).ConfigureAwait(false);
        using var get = await _client.GetObjectAsync(new GetObjectRequest { BucketName = bucket, Key = key }, cancellationToken).ConfigureAwait(false);
        string sha;
        await using (cancellationToken.UnsafeRegister(static g => ((GetObjectResponse)g!).Dispose(), get))
        {
            sha = await FileHashing.Sha256Async(get.ResponseStream, _bandwidth, _threads, cancellationToken).ConfigureAwait(false);
        }
        return new UploadResult($"s3://{bucket}/{key}", sha);
    }

    /// <summary>Blocking: reads one multipart part into <paramref name="buffer"/> and returns its MD5 (hex).</summary>
    private static string ReadPart(Microsoft.Win32.SafeHandles.SafeFileHandle file, byte[] buffer, long position, int length, string path, UploadThreads threads)
    {
        var done = 0;
        while (done < length)
        {
            var want = Math.Min(256 * 1024, length - done);
            threads.Pace(want);
            var n = RandomAccess.Read(file, buffer.AsSpan(done, want), position + done);
            if (n == 0)
            {
                throw new IOException($"{path} ended {length - done} bytes early (it changed while uploading)");
            }
            done += n;
        }
        return Convert.ToHexStringLower(MD5.HashData(buffer.AsSpan(0, length)));
    }

    public void Dispose() => _client.Dispose();

    /// <summary>The saved state checked against S3: its part list when it has ListParts, null when the upload is gone.</summary>
    private async ValueTask<S3ResumeState?> ReconcileAsync(string bucket, string key, S3ResumeState saved, UploadRequest request, CancellationToken cancellationToken)
    {
        try
        {
            var listed = new SortedDictionary<int, string>();
            int? marker = null;
            while (true)
            {
                var page = await _client.ListPartsAsync(new ListPartsRequest { BucketName = bucket, Key = key, UploadId = saved.UploadId, PartNumberMarker = marker?.ToString(System.Globalization.CultureInfo.InvariantCulture) }, cancellationToken).ConfigureAwait(false);
                foreach (var part in page.Parts ?? [])
                {
                    var expected = Math.Min(_options.PartSize, request.Length - ((long)part.PartNumber!.Value - 1) * _options.PartSize);
                    if (part.Size == expected)
                    {
                        listed[part.PartNumber.Value] = part.ETag;
                    }
                }
                if (page.IsTruncated != true)
                {
                    break;
                }
                marker = page.NextPartNumberMarker;
            }
            return new S3ResumeState { UploadId = saved.UploadId, Parts = listed };
        }
        catch (AmazonS3Exception ex) when (ex.StatusCode == HttpStatusCode.NotFound || ex.ErrorCode == "NoSuchUpload")
        {
            return null;
        }
        catch (AmazonS3Exception ex) when (ex.StatusCode is HttpStatusCode.MethodNotAllowed or HttpStatusCode.NotImplemented)
        {
            return saved; // the server has no ListParts: trust the parts it acknowledged to us
        }
    }

    private static long Acknowledged(S3ResumeState state, long length, int partSize) =>
        state.Parts.Keys.Sum(n => Math.Min(partSize, length - ((long)n - 1) * partSize));
}
