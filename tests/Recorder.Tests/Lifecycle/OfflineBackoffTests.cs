using HlsGateway.Recorder.Configuration;
using HlsGateway.Recorder.Lifecycle;
using HlsGateway.Tests.Common;
using HlsGateway.Tests.Support;

namespace HlsGateway.Tests.Lifecycle;

/// <summary>
/// Issue 14.10 (part): an offline stream is checked again with exponential backoff through Polly with jitter, so the
/// recordings of one origin that went down together do not hit it in lockstep (1 s, 2 s, 4 s... for all of them).
/// </summary>
public sealed class OfflineBackoffTests : IDisposable
{
    private readonly string _out = Directory.CreateTempSubdirectory("rec-out-").FullName;

    public void Dispose() => Directory.Delete(_out, recursive: true);

    [Fact]
    public async Task Two_recordings_of_a_dead_origin_back_off_exponentially_with_different_jittered_delays()
    {
        await using var origin = await TestOrigin.StartAsync(); // nothing published: every playlist is a 404
        var logs = new CapturingLoggerProvider();
        await using var host = await RecorderHost.StartAsync(_out, new Dictionary<string, string?>
        {
            ["Recorder:BaseUrl"] = origin.BaseUrl,
            ["Recorder:MaxRetryDelay"] = "00:00:02",
        }, logs);
        foreach (var name in new[] { "a", "b" })
        {
            var (result, errors) = await host.Manager.StartRecordingAsync(new RecordingDefinition { Name = name, Url = $"/{name}/index.m3u8" }, CancellationToken.None);
            Assert.True(result == StartRecordingResult.Started, string.Join("; ", errors));
        }
        List<double> Delays(string name) => logs.Entries
            .Where(e => e.Id.Name == "RecordingRetry" && (string?)e.Values.GetValueOrDefault("Recording") == name)
            .Select(e => Convert.ToDouble(e.Values["Seconds"], System.Globalization.CultureInfo.InvariantCulture)).ToList();
        await RecorderHost.WaitUntilAsync(() => Delays("a").Count >= 5 && Delays("b").Count >= 5, TimeSpan.FromSeconds(30), "five retries of each recording");
        var a = Delays("a").Take(5).ToList();
        var b = Delays("b").Take(5).ToList();
        Assert.Equal(RecordingState.Checking, host.Manager.Get("a")!.State);
        foreach (var d in a.Concat(b))
        {
            Assert.InRange(d, 0, 2); // Recorder:MaxRetryDelay caps it
        }
        Assert.NotEqual(a, b); // jitter: not the same schedule for both
        var fixedSchedule = new List<double> { 0.25, 0.5, 1, 2, 2 };
        Assert.NotEqual(fixedSchedule, a);
        Assert.NotEqual(fixedSchedule, b);
        // still a backoff: later checks wait longer on the whole than the first ones
        Assert.True(a.Skip(3).Average() > a.Take(2).Average() && b.Skip(3).Average() > b.Take(2).Average(), $"a: {string.Join(", ", a)}; b: {string.Join(", ", b)}");
    }
}
