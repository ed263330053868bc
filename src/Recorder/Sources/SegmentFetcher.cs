using System.Net.Http.Headers;
using HlsGateway.Recorder.Pipeline;
using HlsGateway.Recorder.Playlists;
using Polly;
using Polly.Retry;

namespace HlsGateway.Recorder.Sources;

/// <summary>
/// The recorder's fetches, shared by the variant's follower and its rendition followers: the tee buffer first (the
/// gateway already fetched the body for a player), else through <see cref="HttpClient"/>; a byte range cut out
/// locally when the server ignores Range. Failures are <see cref="FetchResult"/> values, never exceptions. A failed
/// segment fetch is retried through Polly (like uploads and webhooks): 200 ms, then 400 ms, each with ±25 % jitter, so
/// the recordings of one origin hiccup do not retry in lockstep.
/// </summary>
internal sealed class SegmentFetcher(HttpClient http, RecordingTee? tee, TimeProvider time, Action<TimeSpan>? retried = null)
{
    private const int SegmentAttempts = 3;

    private readonly ResiliencePipeline<FetchResult> _retry = new ResiliencePipelineBuilder<FetchResult> { TimeProvider = time }
        .AddRetry(new RetryStrategyOptions<FetchResult>
        {
            MaxRetryAttempts = SegmentAttempts - 1,
            BackoffType = DelayBackoffType.Linear,
            UseJitter = true,
            Delay = TimeSpan.FromMilliseconds(200),
            // a failure value other than 404/410 (final at once); exceptions are only our own cancellation
            ShouldHandle = args => ValueTask.FromResult(args.Outcome.Exception is null && args.Outcome.Result is { Ok: false, NotFound: false }),
            OnRetry = args =>
            {
                retried?.Invoke(args.RetryDelay);
                return ValueTask.CompletedTask;
            },
        })
        .Build();

    /// <summary>Tee buffer first, else up to <see cref="SegmentAttempts"/> fetches, jittered (404 is final at once).</summary>
    public async Task<FetchResult> GetAsync(Uri url, ByteRangeSpec? range, CancellationToken ct)
    {
        if (tee is not null && tee.TryTake(url.AbsolutePath, out var teed))
        {
            if (range is { } r)
            {
                if (r.End <= teed.Length)
                {
                    return new FetchResult(200, teed.Slice((int)r.Offset, (int)r.Length).ToArray(), null);
                }
            }
            else
            {
                return new FetchResult(200, teed.ToArray(), null);
            }
        }
        return await _retry.ExecuteAsync(
            static async (state, token) => await state.Fetcher.FetchAsync(state.Url, state.Range, token).ConfigureAwait(false),
            (Fetcher: this, Url: url, Range: range), ct).ConfigureAwait(false);
    }

    /// <summary>
    /// A segment of a media playlist at <paramref name="baseUrl"/> with its init section (EXT-X-MAP), the init fetched
    /// only when its URL or byte range changed (kept in <paramref name="init"/>). A failure of either is a gap reason.
    /// </summary>
    public async Task<SegmentLoad> LoadAsync(Uri baseUrl, MediaSegment s, InitSectionCache init, CancellationToken ct)
    {
        ReadOnlyMemory<byte> initBody = default;
        if (s.Map is { } map)
        {
            var initUrl = new Uri(baseUrl, map.Uri);
            var initKey = initUrl.AbsoluteUri + "|" + map.ByteRange;
            if (init.Entry is { } cached && cached.Key == initKey)
            {
                initBody = cached.Body;
            }
            else
            {
                var got = await GetAsync(initUrl, map.ByteRange, ct).ConfigureAwait(false);
                if (!got.Ok)
                {
                    return new SegmentLoad(default, default, got.NotFound ? GapReasons.NotFound : GapReasons.FetchFailed, null);
                }
                init.Entry = (initKey, got.Body!);
                initBody = got.Body;
            }
        }
        var segment = await GetAsync(new Uri(baseUrl, s.Uri), s.ByteRange, ct).ConfigureAwait(false);
        return segment.Ok
            ? new SegmentLoad(initBody, segment.Body, null, null)
            : new SegmentLoad(initBody, default, segment.NotFound ? GapReasons.NotFound : GapReasons.FetchFailed, segment.Error ?? "fetch failed");
    }

    /// <summary>One GET (a playlist, or one attempt at a segment).</summary>
    public async Task<FetchResult> FetchAsync(Uri url, ByteRangeSpec? range, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        if (range is { } r)
        {
            request.Headers.Range = new RangeHeaderValue(r.Offset, r.End - 1);
        }
        try
        {
            using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct).ConfigureAwait(false);
            var status = (int)response.StatusCode;
            if (status != 200 && status != 206)
            {
                return new FetchResult(status, null, $"HTTP {status}");
            }
            var body = await response.Content.ReadAsByteArrayAsync(ct).ConfigureAwait(false);
            if (range is { } rr && status == 200)
            {
                // the server ignored Range: cut the range out ourselves
                if (rr.End > body.Length)
                {
                    return new FetchResult(status, null, "byte range beyond the resource");
                }
                body = body.AsSpan((int)rr.Offset, (int)rr.Length).ToArray();
            }
            return new FetchResult(status, body, null);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            return new FetchResult(0, null, "timeout");
        }
        catch (HttpRequestException ex)
        {
            return new FetchResult(0, null, ex.Message);
        }
        catch (IOException ex)
        {
            return new FetchResult(0, null, ex.Message);
        }
    }

    /// <summary>The directory part of a URL path (what the tee is told to watch).</summary>
    public static string DirectoryOf(string path)
    {
        var slash = path.LastIndexOf('/');
        return slash < 0 ? "/" : path[..(slash + 1)];
    }

    /// <summary>Wall-clock start of every segment: its EXT-X-PROGRAM-DATE-TIME, else the last one carried forward by EXTINF.</summary>
    public static DateTimeOffset?[] Walls(MediaPlaylist playlist)
    {
        var walls = new DateTimeOffset?[playlist.Segments.Count];
        DateTimeOffset? next = null;
        for (var i = 0; i < walls.Length; i++)
        {
            var s = playlist.Segments[i];
            walls[i] = s.ProgramDateTime ?? next;
            next = walls[i] + TimeSpan.FromSeconds(s.Duration);
        }
        return walls;
    }
}
