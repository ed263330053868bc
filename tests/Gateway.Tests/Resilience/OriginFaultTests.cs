using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using HlsGateway.Tests.Common;
using Microsoft.Extensions.Configuration;
using Xunit.Abstractions;

namespace HlsGateway.Tests.Resilience;

/// <summary>
/// Origin faults under a few seconds of concurrent player load: players get the last good copy
/// (STALE) or a clean 502/504 problem, never a hang or a wrong body, and once the origin is back
/// every resource is served correctly (no failure was cached).
/// </summary>
public sealed class OriginFaultTests(ITestOutputHelper output)
{
    private static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(2);
    private const int NewSegments = 4000;

    private sealed record Sample(int Phase, string Path, int Status, string? XCache, string? ContentType, bool BodyOk, double Seconds, string? Error);

    private sealed class Media
    {
        public readonly Dictionary<string, byte[]> Files = new(StringComparer.Ordinal);

        public Media()
        {
            for (var i = 0; i < 4; i++)
            {
                Files[$"/live/seg{i}.ts"] = Bytes(64 * 1024, i);
            }
            for (var phase = 0; phase < 3; phase++)
            {
                for (var i = 0; i < NewSegments; i++)
                {
                    Files[$"/live/new{phase}-{i}.ts"] = Bytes(2048, 1000 + phase * NewSegments + i);
                }
            }
        }

        public static string Playlist(int sequence) =>
            $"#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:1\n#EXT-X-MEDIA-SEQUENCE:{sequence}\n#EXTINF:1.0,\nseg0.ts\n#EXTINF:1.0,\nseg1.ts\n";

        public void Populate(TestOrigin origin, int sequence)
        {
            foreach (var (path, body) in Files)
            {
                origin.Set(path, body);
            }
            origin.Set("/live/index.m3u8", Playlist(sequence));
        }

        private static byte[] Bytes(int n, int seed)
        {
            var b = new byte[n];
            new Random(seed).NextBytes(b);
            b[0] = 0x47;
            return b;
        }
    }

    [Theory]
    [InlineData("killed")]
    [InlineData("slow")]
    [InlineData("5xx")]
    [InlineData("truncated")]
    public async Task Players_get_stale_or_clean_errors_and_the_cache_is_not_poisoned(string fault)
    {
        var media = new Media();
        var origin = await TestOrigin.StartAsync();
        TestOrigin? replacement = null;
        media.Populate(origin, sequence: 1);
        var dir = Directory.CreateTempSubdirectory("gw-faults");
        var originsFile = Path.Combine(dir.FullName, "origins.json");
        await File.WriteAllTextAsync(originsFile, $$"""{ "Gateway": { "Origins": { "o": "{{origin.BaseUrl}}" } } }""");
        await using var gw = await GatewayHost.StartAsync(new Dictionary<string, string?>
        {
            ["Gateway:Proxy:RequestTimeout"] = RequestTimeout.ToString(),
            ["Gateway:Proxy:ConnectTimeout"] = "00:00:01",
        }, b => b.Configuration.AddJsonFile(originsFile, optional: false, reloadOnChange: true));
        using var client = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 64, UseCookies = false })
        {
            BaseAddress = new Uri(gw.BaseUrl),
            Timeout = RequestTimeout + TimeSpan.FromSeconds(10), // a hang shows up as a failed sample
        };

        try
        {
            var samples = new ConcurrentQueue<Sample>();
            var phase = 0;
            var nextNew = -1;
            using var stop = new CancellationTokenSource();
            var oldPlaylist = Media.Playlist(1);
            var newPlaylist = Media.Playlist(2);

            async Task WorkerAsync(int worker)
            {
                // 4 players reload the playlist, 2 replay cached segments, 6 fetch segments never seen in this phase
                for (var n = 0; !stop.IsCancellationRequested; n++)
                {
                    var p = Volatile.Read(ref phase);
                    var path = worker switch
                    {
                        < 4 => "/live/index.m3u8",
                        < 6 => $"/live/seg{n % 4}.ts",
                        _ => $"/live/new{p}-{Interlocked.Increment(ref nextNew) % NewSegments}.ts",
                    };
                    var started = Stopwatch.StartNew();
                    try
                    {
                        using var r = await client.GetAsync("/hls/o" + path);
                        var body = await r.Content.ReadAsByteArrayAsync();
                        var ok = r.StatusCode != HttpStatusCode.OK || (path.EndsWith(".m3u8", StringComparison.Ordinal)
                            ? System.Text.Encoding.UTF8.GetString(body) is var text && (text == oldPlaylist || text == newPlaylist)
                            : body.AsSpan().SequenceEqual(media.Files[path]));
                        samples.Enqueue(new Sample(p, path, (int)r.StatusCode, r.Headers.TryGetValues("X-Cache", out var xc) ? xc.First() : null,
                            r.Content.Headers.ContentType?.MediaType, ok, started.Elapsed.TotalSeconds, null));
                    }
                    catch (Exception ex)
                    {
                        samples.Enqueue(new Sample(p, path, 0, null, null, false, started.Elapsed.TotalSeconds, ex.GetType().Name + ": " + ex.Message));
                    }
                }
            }

            var load = Task.WhenAll(Enumerable.Range(0, 12).Select(w => Task.Run(() => WorkerAsync(w))));
            await Task.Delay(1500); // healthy: the playlist and seg0-3 get cached

            switch (fault)
            {
                case "killed":
                    await origin.DisposeAsync();
                    break;
                case "slow":
                    origin.Delay = TimeSpan.FromSeconds(5);
                    origin.Fault = OriginFault.Slow;
                    break;
                case "5xx":
                    origin.Fault = OriginFault.ServerError;
                    break;
                case "truncated":
                    origin.Fault = OriginFault.Truncate;
                    break;
            }
            Volatile.Write(ref phase, 1);
            await Task.Delay(3500);

            // Recovery, with a newer playlist: what was served stale must not stick.
            if (fault == "killed")
            {
                replacement = await TestOrigin.StartAsync();
                media.Populate(replacement, sequence: 2);
                await File.WriteAllTextAsync(originsFile, $$"""{ "Gateway": { "Origins": { "o": "{{replacement.BaseUrl}}" } } }""");
            }
            else
            {
                origin.Set("/live/index.m3u8", newPlaylist);
                origin.Fault = OriginFault.None;
            }
            Volatile.Write(ref phase, 2);
            await Task.Delay(2500);
            stop.Cancel();
            await load;

            var all = samples.ToArray();
            output.WriteLine($"{fault}: {all.Length} requests; " + string.Join(", ", all.GroupBy(s => (s.Phase, s.Status, s.XCache)).OrderBy(g => g.Key)
                .Select(g => $"phase {g.Key.Phase} {g.Key.Status} {g.Key.XCache}: {g.Count()}")) + $"; slowest {all.Max(s => s.Seconds):0.00} s");
            var failures = all.Where(s => s.Error is not null || !s.BodyOk
                || s.Status is not (200 or 502 or 504)
                || (s.Status is 502 or 504 && s.ContentType != "application/problem+json")
                || (s.Status == 200 && s.XCache is not ("HIT" or "MISS" or "STALE"))).ToArray();
            Assert.True(failures.Length == 0, $"{failures.Length} of {all.Length} player requests failed, e.g.\n" + string.Join("\n", failures.Take(5)));
            var slowest = all.Max(s => s.Seconds);
            Assert.True(slowest < RequestTimeout.TotalSeconds + 8, $"a request took {slowest:0.0} s (timeout {RequestTimeout.TotalSeconds} s)");

            var during = all.Where(s => s.Phase == 1).ToArray();
            Assert.Contains(during, s => s.Path.EndsWith(".m3u8", StringComparison.Ordinal) && s.XCache == "STALE");
            var expected = fault == "slow" ? 504 : 502;
            Assert.Contains(during, s => s.Path.Contains("/new", StringComparison.Ordinal) && s.Status == expected);
            Assert.All(during.Where(s => s.Path.Contains("/seg", StringComparison.Ordinal)), s => Assert.Equal(200, s.Status)); // fresh hits keep flowing

            // After recovery: every resource that failed, and the playlist, come back correct from the origin.
            await Poll.UntilAsync(async () =>
            {
                using var r = await client.GetAsync("/hls/o/live/index.m3u8");
                return r.StatusCode == HttpStatusCode.OK && await r.Content.ReadAsStringAsync() == newPlaylist;
            }, TimeSpan.FromSeconds(15), "the gateway to recover");
            var failed = all.Where(s => s.Status != 200).Select(s => s.Path).Distinct().ToArray();
            Assert.NotEmpty(failed);
            foreach (var path in failed)
            {
                using var r = await client.GetAsync("/hls/o" + path);
                Assert.Equal(HttpStatusCode.OK, r.StatusCode);
                Assert.True((await r.Content.ReadAsByteArrayAsync()).AsSpan().SequenceEqual(media.Files[path]), path + " served wrong bytes after recovery");
            }
        }
        finally
        {
            if (fault != "killed")
            {
                await origin.DisposeAsync();
            }
            if (replacement is not null)
            {
                await replacement.DisposeAsync();
            }
            dir.Delete(recursive: true);
        }
    }
}
