using System.Collections.Concurrent;
using System.Diagnostics;

namespace HlsGateway.Tests.ScaleOut;

/// <summary>One player request of a <see cref="BoundedLoad"/>.</summary>
internal sealed record LoadSample(double At, string Path, int Status, string? XCache, string? Upstream, bool BodyOk, double Seconds, string? Error)
{
    public bool Failed => Error is not null || Status != 200 || !BodyOk;
}

/// <summary>
/// A fixed number of concurrent players looping GETs until stopped; every response is checked
/// (status 200 and the exact expected body) and kept as a sample. Bounded by the worker count, so
/// it cannot swamp a 2-core machine.
/// </summary>
internal sealed class BoundedLoad
{
    private readonly ConcurrentQueue<LoadSample> _samples = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private Task? _running;

    /// <param name="target">(worker, iteration) to the request target (path and query).</param>
    /// <param name="expected">request target to the body it must return.</param>
    public BoundedLoad Start(HttpClient client, int workers, Func<int, int, string> target, Func<string, byte[]> expected)
    {
        _running = Task.WhenAll(Enumerable.Range(0, workers).Select(w => Task.Run(async () =>
        {
            for (var n = 0; !_stop.IsCancellationRequested; n++)
            {
                var path = target(w, n);
                var at = _clock.Elapsed.TotalSeconds;
                var started = Stopwatch.GetTimestamp();
                try
                {
                    using var r = await client.GetAsync(path);
                    var body = await r.Content.ReadAsByteArrayAsync();
                    var ok = r.StatusCode != System.Net.HttpStatusCode.OK || body.AsSpan().SequenceEqual(expected(path));
                    _samples.Enqueue(new LoadSample(at, path, (int)r.StatusCode, Header(r, "X-Cache"), Header(r, "X-Upstream"), ok, Stopwatch.GetElapsedTime(started).TotalSeconds, null));
                }
                catch (Exception ex)
                {
                    _samples.Enqueue(new LoadSample(at, path, 0, null, null, false, Stopwatch.GetElapsedTime(started).TotalSeconds, ex.GetType().Name + ": " + ex.Message));
                }
            }
        })));
        return this;
    }

    public double Elapsed => _clock.Elapsed.TotalSeconds;

    public async Task<LoadSample[]> StopAsync()
    {
        _stop.Cancel();
        await _running!;
        return _samples.ToArray();
    }

    public static string Summary(IReadOnlyCollection<LoadSample> samples) =>
        $"{samples.Count} requests, {samples.Count(s => s.Failed)} failed; " +
        string.Join(", ", samples.GroupBy(s => (s.Status, s.XCache)).OrderBy(g => g.Key).Select(g => $"{g.Key.Status} {g.Key.XCache}: {g.Count()}")) +
        (samples.Count > 0 ? $"; p50 {Percentile(samples, 0.5) * 1000:0.0} ms, p99 {Percentile(samples, 0.99) * 1000:0.0} ms, max {samples.Max(s => s.Seconds) * 1000:0} ms" : string.Empty);

    public static void AssertNoFailures(IReadOnlyCollection<LoadSample> samples)
    {
        var failed = samples.Where(s => s.Failed).ToArray();
        Assert.True(failed.Length == 0, $"{failed.Length} of {samples.Count} player requests failed, e.g.\n" + string.Join("\n", failed.Take(5)));
    }

    private static double Percentile(IReadOnlyCollection<LoadSample> samples, double q)
    {
        var sorted = samples.Select(s => s.Seconds).Order().ToArray();
        return sorted[Math.Min(sorted.Length - 1, (int)(q * sorted.Length))];
    }

    private static string? Header(HttpResponseMessage r, string name) =>
        r.Headers.TryGetValues(name, out var v) ? v.FirstOrDefault() : null;
}
