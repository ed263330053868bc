using System.Collections.Concurrent;
using System.Net;
using HlsGateway.Recorder.Pipeline;
using HlsGateway.Recorder.Playlists;
using HlsGateway.Recorder.Sources;
using Microsoft.Extensions.Time.Testing;

namespace HlsGateway.Tests.Sources;

/// <summary>The follower on a fake clock and a stub HTTP handler: reload cadence, stall detection, reset detection.</summary>
public sealed class PlaylistFollowerTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("rec-fol-").FullName;
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
    private readonly Stub _http = new();
    private readonly Signals _signals = new();

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private (PlaylistFollower, RecordingSession) NewFollower(int stall = 6)
    {
        var session = new RecordingSession(RecordingJournal.LoadOrCreate(_root, "f", "x"), _root, "{stream}/{part}", 0, 0, _time, new NullObserver());
        var follower = new PlaylistFollower(new HttpClient(_http), new Uri("http://origin.test/live/index.m3u8"), null, session, SegmentPipeline.CreateDefault(),
            null, _time, stall, _signals);
        return (follower, session);
    }

    private static string Playlist(long first, int count, int target = 4)
    {
        var sb = new System.Text.StringBuilder($"#EXTM3U\n#EXT-X-TARGETDURATION:{target}\n#EXT-X-MEDIA-SEQUENCE:{first}\n");
        for (var i = 0; i < count; i++)
        {
            sb.Append($"#EXTINF:{target}.0,\nseg{first + i}.ts\n");
        }
        return sb.ToString();
    }

    private async Task WaitForPlaylistLoadsAsync(int n)
    {
        var until = DateTime.UtcNow.AddSeconds(10);
        while (_http.PlaylistLoads < n)
        {
            Assert.True(DateTime.UtcNow < until, $"expected {n} playlist loads, saw {_http.PlaylistLoads}");
            await Task.Delay(10);
        }
        await Task.Delay(50); // let the follower reach its next delay
    }

    [Fact]
    public async Task Reloads_after_a_target_duration_when_changed_and_half_of_it_when_not_then_reports_a_stall()
    {
        _http.PlaylistText = Playlist(10, 3);
        var (follower, session) = NewFollower(stall: 2);
        using var cts = new CancellationTokenSource();
        var run = follower.RunAsync(cts.Token);

        await WaitForPlaylistLoadsAsync(1);
        Assert.Equal(12, session.LastKey!.Value.Media); // live edge only
        Assert.Equal(1, _signals.Live);
        _time.Advance(TimeSpan.FromSeconds(3.9));
        await Task.Delay(100);
        Assert.Equal(1, _http.PlaylistLoads); // changed: wait the full target duration
        _time.Advance(TimeSpan.FromSeconds(0.1));
        await WaitForPlaylistLoadsAsync(2);
        _time.Advance(TimeSpan.FromSeconds(1.9));
        await Task.Delay(100);
        Assert.Equal(2, _http.PlaylistLoads); // unchanged: half the target duration
        _time.Advance(TimeSpan.FromSeconds(0.1));
        await WaitForPlaylistLoadsAsync(3);
        Assert.Equal(0, _signals.Stalls);
        for (var i = 4; i <= 6; i++)
        {
            _time.Advance(TimeSpan.FromSeconds(2));
            await WaitForPlaylistLoadsAsync(i);
        }
        Assert.Equal(1, _signals.Stalls); // 2 target durations (8 s) without a new segment
        _http.PlaylistText = Playlist(11, 3);
        _time.Advance(TimeSpan.FromSeconds(2));
        await WaitForPlaylistLoadsAsync(7);
        Assert.Equal(13, session.LastKey!.Value.Media);
        Assert.Equal(2, _signals.Live);
        await cts.CancelAsync();
        Assert.Equal(FollowResult.Cancelled, await run);
    }

    [Fact]
    public async Task A_single_stale_playlist_is_not_a_reset_but_two_in_a_row_are()
    {
        var (follower, session) = NewFollower();
        Assert.True(PlaylistParser.TryParseMedia(Playlist(100, 3), out var current));
        Assert.Equal(1, await follower.ProcessAsync(current, CancellationToken.None));
        Assert.True(PlaylistParser.TryParseMedia(Playlist(97, 3), out var stale)); // an older copy (cache), newest 99 < 102 - 1
        Assert.Equal(0, await follower.ProcessAsync(stale, CancellationToken.None));
        Assert.Equal(0, session.Epoch);
        Assert.True(PlaylistParser.TryParseMedia(Playlist(101, 3), out var next));
        Assert.Equal(1, await follower.ProcessAsync(next, CancellationToken.None));
        Assert.Equal(103, session.LastKey!.Value.Media);

        Assert.True(PlaylistParser.TryParseMedia(Playlist(95, 3), out var restarted)); // 95-97: looks stale once...
        Assert.Equal(0, await follower.ProcessAsync(restarted, CancellationToken.None));
        Assert.True(PlaylistParser.TryParseMedia(Playlist(96, 3), out var restarted2)); // ...and again: the encoder restarted
        Assert.Equal(3, await follower.ProcessAsync(restarted2, CancellationToken.None));
        Assert.Equal(1, session.Epoch);
        Assert.Equal(new SequenceKey(1, 0, 98), session.LastKey);
        Assert.Equal(0, session.Duplicates);
    }

    private sealed class Stub : HttpMessageHandler
    {
        private int _playlistLoads;

        public volatile string PlaylistText = "#EXTM3U\n";

        public int PlaylistLoads => Volatile.Read(ref _playlistLoads);

        public ConcurrentQueue<string> Segments { get; } = new();

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var path = request.RequestUri!.AbsolutePath;
            if (path.EndsWith(".m3u8", StringComparison.Ordinal))
            {
                Interlocked.Increment(ref _playlistLoads);
                return Task.FromResult(new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent(PlaylistText) });
            }
            Segments.Enqueue(path);
            return Task.FromResult(new HttpResponseMessage(HttpStatusCode.OK) { Content = new ByteArrayContent(new byte[188]) });
        }
    }

    private sealed class Signals : IFollowerObserver
    {
        public int Live;
        public int Stalls;

        void IFollowerObserver.Live() => Interlocked.Increment(ref Live);

        void IFollowerObserver.Stalled(TimeSpan since) => Interlocked.Increment(ref Stalls);

        void IFollowerObserver.Problem(string what)
        {
        }
    }

    private sealed class NullObserver : IRecordingObserver
    {
        public void GapRecorded(GapEntry gap)
        {
        }

        public void PartClosed(PartInfo part)
        {
        }

        public void PartOpened(PartInfo part)
        {
        }
    }
}
