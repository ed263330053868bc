using HlsGateway.Proxy;
using Microsoft.Extensions.Time.Testing;

namespace HlsGateway.Tests.Proxy;

/// <summary>The open origin response a too-large fill keeps: taken once, closed when nobody claims it.</summary>
public sealed class OpenResponseTests
{
    private sealed class TrackingContent : HttpContent
    {
        public bool Disposed { get; private set; }

        protected override Task SerializeToStreamAsync(Stream stream, System.Net.TransportContext? context) => Task.CompletedTask;

        protected override bool TryComputeLength(out long length)
        {
            length = 0;
            return true;
        }

        protected override void Dispose(bool disposing)
        {
            Disposed = true;
            base.Dispose(disposing);
        }
    }

    [Fact]
    public void Taken_once()
    {
        var time = new FakeTimeProvider();
        using var response = new HttpResponseMessage { Content = new TrackingContent() };
        using var open = new OpenResponse(response, time);
        Assert.Same(response, open.TryTake());
        Assert.Null(open.TryTake());
        time.Advance(OpenResponse.Unclaimed + TimeSpan.FromSeconds(1));
        Assert.False(((TrackingContent)response.Content).Disposed); // the taker owns it now
    }

    [Fact]
    public void Closed_when_unclaimed()
    {
        var time = new FakeTimeProvider();
        var content = new TrackingContent();
        var open = new OpenResponse(new HttpResponseMessage { Content = content }, time);
        time.Advance(OpenResponse.Unclaimed - TimeSpan.FromMilliseconds(1));
        Assert.False(content.Disposed);
        time.Advance(TimeSpan.FromMilliseconds(2));
        Assert.True(content.Disposed);
        Assert.Null(open.TryTake());
    }
}
