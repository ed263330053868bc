using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;

namespace HlsGateway.Recorder.Uploads;

/// <summary>
/// tus 1.0 client (core protocol + creation): POST with <c>Upload-Length</c> and <c>Upload-Metadata</c> creates the
/// upload (its URL is the resume token, saved at once), PATCH streams chunks of <c>Recorder:Upload:ChunkSize</c>
/// from the file at <c>Upload-Offset</c> (<see cref="FileSliceContent"/>: no chunk buffer), and every attempt starts
/// with HEAD so it continues from the offset the server acknowledged,
/// whatever this side thinks it sent. Verification re-reads the upload with GET and hashes it. Body bytes are
/// written and read on <see cref="UploadThreads"/>.
/// </summary>
internal sealed class TusUploadTarget(HttpClient http, Uri endpoint, int chunkSize, UploadBandwidth? bandwidth = null, UploadThreads? threads = null) : IUploadTarget
{
    private const string TusVersion = "1.0.0";
    private static readonly MediaTypeHeaderValue OffsetOctetStream = new("application/offset+octet-stream");

    private readonly UploadBandwidth _bandwidth = bandwidth ?? UploadBandwidth.Unlimited;
    private readonly UploadThreads _threads = threads ?? UploadThreads.Shared;

    public string Name => "tus";

    public async ValueTask<UploadResult> UploadAsync(UploadRequest request, IProgress<long> progress, CancellationToken cancellationToken)
    {
        Uri? location = request.ResumeState is { } saved ? new Uri(saved) : null;
        long offset = -1;
        if (location is not null)
        {
            offset = await HeadOffsetAsync(location, request.Length, cancellationToken).ConfigureAwait(false);
        }
        if (offset < 0)
        {
            location = await CreateAsync(request, cancellationToken).ConfigureAwait(false);
            await request.SaveResumeStateAsync(location.AbsoluteUri, cancellationToken).ConfigureAwait(false);
            offset = 0;
        }
        progress.Report(offset);

        while (offset < request.Length)
        {
            await _bandwidth.WhenRunningAsync(cancellationToken).ConfigureAwait(false);
            var length = Math.Min(chunkSize, request.Length - offset);
            using var patch = new HttpRequestMessage(HttpMethod.Patch, location);
            patch.Headers.Add("Tus-Resumable", TusVersion);
            patch.Headers.Add("Upload-Offset", offset.ToString(CultureInfo.InvariantCulture));
            patch.Content = new FileSliceContent(request.LocalPath, offset, length, _bandwidth, _threads);
            patch.Content.Headers.ContentType = OffsetOctetStream;
            using var response = await http.SendAsync(patch, cancellationToken).ConfigureAwait(false);
            if (response.StatusCode == HttpStatusCode.Conflict)
            {
                // offsets disagree (a lost response): ask the server where it is
                offset = await HeadOffsetAsync(location!, request.Length, cancellationToken).ConfigureAwait(false);
                if (offset < 0)
                {
                    await request.SaveResumeStateAsync(null, cancellationToken).ConfigureAwait(false);
                    throw new HttpRequestException("tus upload vanished on the server; starting over");
                }
                continue;
            }
            EnsureSuccess(response, "PATCH");
            offset = ReadOffset(response) ?? throw new HttpRequestException("tus PATCH response without Upload-Offset");
            progress.Report(offset); // acknowledged bytes, not merely sent ones
        }

        await _bandwidth.WhenRunningAsync(cancellationToken).ConfigureAwait(false);
        using var get = new HttpRequestMessage(HttpMethod.Get, location);
        get.Headers.Add("Tus-Resumable", TusVersion);
        using var download = await http.SendAsync(get, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
        EnsureSuccess(download, "GET (verification)");
        await using var body = await download.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        string sha;
        // the read-back blocks an upload thread; cancelling aborts its read by disposing the response
        await using (cancellationToken.UnsafeRegister(static d => ((HttpResponseMessage)d!).Dispose(), download))
        {
            sha = await FileHashing.Sha256Async(body, _bandwidth, _threads, cancellationToken).ConfigureAwait(false);
        }
        if (!string.Equals(sha, request.Sha256, StringComparison.OrdinalIgnoreCase))
        {
            await request.SaveResumeStateAsync(null, cancellationToken).ConfigureAwait(false); // next attempt creates a fresh upload
        }
        return new UploadResult(location!.AbsoluteUri, sha);
    }

    private async ValueTask<Uri> CreateAsync(UploadRequest request, CancellationToken cancellationToken)
    {
        using var post = new HttpRequestMessage(HttpMethod.Post, endpoint);
        post.Headers.Add("Tus-Resumable", TusVersion);
        post.Headers.Add("Upload-Length", request.Length.ToString(CultureInfo.InvariantCulture));
        post.Headers.Add("Upload-Metadata", "filename " + Convert.ToBase64String(Encoding.UTF8.GetBytes(request.RemoteKey))
            + ",sha256 " + Convert.ToBase64String(Encoding.ASCII.GetBytes(request.Sha256)));
        post.Content = new ByteArrayContent([]);
        using var response = await http.SendAsync(post, cancellationToken).ConfigureAwait(false);
        EnsureSuccess(response, "POST");
        var location = response.Headers.Location ?? throw new HttpRequestException("tus POST response without Location");
        return location.IsAbsoluteUri ? location : new Uri(endpoint, location);
    }

    /// <summary>The server's offset, or -1 when the upload is gone (404/410) or its length differs.</summary>
    private async ValueTask<long> HeadOffsetAsync(Uri location, long length, CancellationToken cancellationToken)
    {
        using var head = new HttpRequestMessage(HttpMethod.Head, location);
        head.Headers.Add("Tus-Resumable", TusVersion);
        using var response = await http.SendAsync(head, cancellationToken).ConfigureAwait(false);
        if (response.StatusCode is HttpStatusCode.NotFound or HttpStatusCode.Gone or HttpStatusCode.Forbidden)
        {
            return -1;
        }
        EnsureSuccess(response, "HEAD");
        if (response.Headers.TryGetValues("Upload-Length", out var values)
            && long.TryParse(values.FirstOrDefault(), NumberStyles.None, CultureInfo.InvariantCulture, out var serverLength) && serverLength != length)
        {
            return -1;
        }
        return ReadOffset(response) ?? throw new HttpRequestException("tus HEAD response without Upload-Offset");
    }

    private static long? ReadOffset(HttpResponseMessage response) =>
        response.Headers.TryGetValues("Upload-Offset", out var values)
        && long.TryParse(values.FirstOrDefault(), NumberStyles.None, CultureInfo.InvariantCulture, out var offset) ? offset : null;

    private static void EnsureSuccess(HttpResponseMessage response, string what)
    {
        if (!response.IsSuccessStatusCode)
        {
            throw new HttpRequestException($"tus {what} answered {(int)response.StatusCode} {response.ReasonPhrase}", null, response.StatusCode);
        }
    }
}
