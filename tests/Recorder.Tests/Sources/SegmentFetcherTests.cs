using System.Collections.Concurrent;
using System.Net;
using HlsGateway.Recorder.Sources;

namespace HlsGateway.Tests.Sources;

/// <summary>Issue 14.10 (part): the recorder's segment retries go through Polly with jitter, not a fixed 200 ms × attempt.</summary>
public sealed class SegmentFetcherTests
{
    [Fact]
    public async Task Failed_segment_fetches_are_retried_twice_with_jittered_linear_backoff()
    {
        var runs = new List<List<TimeSpan>>();
        for (var run = 0; run < 3; run++)
        {
            var handler = new Stub(HttpStatusCode.InternalServerError);
            var delays = new List<TimeSpan>();
            var fetcher = new SegmentFetcher(new HttpClient(handler), null, TimeProvider.System, delays.Add);
            var result = await fetcher.GetAsync(new Uri("http://origin.test/live/seg1.ts"), null, CancellationToken.None);
            Assert.False(result.Ok);
            Assert.Equal(500, result.Status);
            Assert.Equal(3, handler.Requests.Count); // the first try and two retries
            Assert.Equal(2, delays.Count);
            runs.Add(delays);
        }
        foreach (var delays in runs)
        {
            // around 200 ms and 400 ms (±25 %), but not exactly: a fixed schedule retries every recording in lockstep
            Assert.InRange(delays[0].TotalMilliseconds, 150, 250);
            Assert.InRange(delays[1].TotalMilliseconds, 300, 500);
        }
        Assert.False(runs.All(d => d[0] == TimeSpan.FromMilliseconds(200) && d[1] == TimeSpan.FromMilliseconds(400)), "no jitter");
        Assert.True(runs.Select(d => d[0]).Distinct().Count() > 1, "every fetcher waited exactly as long: no jitter");
    }

    [Fact]
    public async Task A_404_is_final_at_once()
    {
        var handler = new Stub(HttpStatusCode.NotFound);
        var delays = new List<TimeSpan>();
        var fetcher = new SegmentFetcher(new HttpClient(handler), null, TimeProvider.System, delays.Add);
        var result = await fetcher.GetAsync(new Uri("http://origin.test/live/seg1.ts"), null, CancellationToken.None);
        Assert.True(result.NotFound);
        Assert.Single(handler.Requests);
        Assert.Empty(delays);
    }

    private sealed class Stub(HttpStatusCode status) : HttpMessageHandler
    {
        public ConcurrentQueue<string> Requests { get; } = new();

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            Requests.Enqueue(request.RequestUri!.AbsolutePath);
            return Task.FromResult(new HttpResponseMessage(status));
        }
    }
}
