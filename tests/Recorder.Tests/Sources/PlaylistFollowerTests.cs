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
        // the first segment fetch may take longer than the helper's slack on a loaded machine (JIT of the retry pipeline)
        await HlsGateway.Tests.Support.RecorderHost.WaitUntilAsync(() => session.LastKey is not null, TimeSpan.FromSeconds(10), "the first segment");
        await Task.Delay(50); // let the follower reach its next delay
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

    private static MediaPlaylist Parse(long first, int count, string name = "seg", long discontinuitySequence = 0, bool discontinuity = false)
    {
        var sb = new System.Text.StringBuilder($"#EXTM3U\n#EXT-X-TARGETDURATION:4\n#EXT-X-MEDIA-SEQUENCE:{first}\n#EXT-X-DISCONTINUITY-SEQUENCE:{discontinuitySequence}\n");
        for (var i = 0; i < count; i++)
        {
            if (discontinuity && i == 0)
            {
                sb.Append("#EXT-X-DISCONTINUITY\n");
            }
            sb.Append($"#EXTINF:4.0,\n{name}{first + i}.ts?token=t{i}\n");
        }
        Assert.True(PlaylistParser.TryParseMedia(sb.ToString(), out var playlist));
        return playlist;
    }

    [Fact]
    public async Task Lagging_copies_are_never_a_reset_however_often_only_discontinuity_signals_are()
    {
        var (follower, session) = NewFollower();
        Assert.Equal(1, await follower.ProcessAsync(Parse(100, 3), CancellationToken.None)); // 102
        for (var i = 0; i < 5; i++)
        {
            Assert.Equal(0, await follower.ProcessAsync(Parse(98, 3), CancellationToken.None)); // older copy, same URIs, many times in a row
        }
        Assert.Equal(0, session.Epoch);
        Assert.Equal(1, await follower.ProcessAsync(Parse(101, 3), CancellationToken.None));
        Assert.Equal(103, session.LastKey!.Value.Media);
        Assert.Equal(0, await follower.ProcessAsync(Parse(99, 3), CancellationToken.None)); // lagging again, after progress
        Assert.Equal(0, session.Epoch);

        // higher DISCONTINUITY-SEQUENCE: a restarted packager, even with reused URIs
        Assert.Equal(3, await follower.ProcessAsync(Parse(100, 3, discontinuitySequence: 1), CancellationToken.None));
        Assert.Equal(new SequenceKey(1, 1, 102), session.LastKey);

        // EXT-X-DISCONTINUITY on a segment never listed before
        Assert.Equal(2, await follower.ProcessAsync(Parse(0, 2, name: "restart", discontinuitySequence: 0, discontinuity: true), CancellationToken.None));
        Assert.Equal(new SequenceKey(2, 1, 1), session.LastKey);
        Assert.Equal(1, await follower.ProcessAsync(Parse(0, 3, name: "restart", discontinuitySequence: 0, discontinuity: true), CancellationToken.None));
        Assert.Equal(2, session.Epoch);

        // far below with URIs never listed, no discontinuity tag
        Assert.Equal(3, await follower.ProcessAsync(Parse(50, 3, name: "x"), CancellationToken.None)); // 50-52 in epoch 2 (3-49 ledgered as skipped)
        Assert.Equal(3, await follower.ProcessAsync(Parse(5, 3, name: "y"), CancellationToken.None));
        Assert.Equal(new SequenceKey(3, 0, 7), session.LastKey);
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
