using HlsGateway.Hosting;
using HlsGateway.Tests.Common;

namespace HlsGateway.Tests.Hosting;

/// <summary>
/// The real gateway process: it ships with thread pool hill climbing off (Gateway.csproj's runtimeconfig switch), says
/// so at start, keeps one worker per core under HTTP/2-over-TLS load, and DOTNET_HillClimbing_Disable=0 turns it on.
/// </summary>
public sealed class ThreadPoolModeTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("gw-threadpool-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task Hill_climbing_is_off_by_default_and_the_pool_stays_at_one_worker_per_core_under_TLS_h2_load()
    {
        var (gw, tlsPort) = await StartAsync(env: null);
        await using var _ = gw;
        Assert.Contains($"Thread pool: hill climbing off, {Environment.ProcessorCount} workers", gw.Output);

        await LoadAsync(tlsPort);
        // with hill climbing on, this pool had 5 workers on 2 cores seconds after start and 7-11 under h2load over TLS h2;
        // off, only starvation (a worker blocked for half a second) adds one, and nothing here blocks
        var workers = Directory.GetDirectories($"/proc/{gw.Id}/task")
            .Count(t => File.ReadAllText(Path.Combine(t, "comm")).Trim() == ".NET TP Worker");
        Assert.InRange(workers, 1, Environment.ProcessorCount + 1);
    }

    [Fact]
    public async Task The_runtime_variable_turns_hill_climbing_back_on()
    {
        var (gw, _) = await StartAsync(new Dictionary<string, string> { [ThreadPoolMode.EnvironmentVariable] = "0" });
        await using var _ = gw;
        Assert.Contains("Thread pool: hill climbing on", gw.Output);
    }

    private async Task<(LocalProcess Gateway, int TlsPort)> StartAsync(IDictionary<string, string>? env)
    {
        var tlsPort = LocalProcess.FreeTcpPort();
        return (await GatewayExecutable.StartAsync(TestCertificates.GatewayArgs(_dir, LocalProcess.FreeTcpPort(), tlsPort), env), tlsPort);
    }

    /// <summary>32 HTTP/2-over-TLS connections, 4 streams each, for 4 s: the demo channel's playlist and its segments.</summary>
    private static async Task LoadAsync(int tlsPort)
    {
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(4));
        var clients = Enumerable.Range(0, 32).Select(_ => new HttpClient(new SocketsHttpHandler
        {
            SslOptions = { RemoteCertificateValidationCallback = (_, _, _, _) => true },
            EnableMultipleHttp2Connections = false,
        })
        {
            BaseAddress = new Uri($"https://127.0.0.1:{tlsPort}/hls/demo/"),
            DefaultRequestVersion = System.Net.HttpVersion.Version20,
            DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact,
        }).ToArray();
        try
        {
            var playlist = await clients[0].GetStringAsync("live.m3u8");
            var segment = playlist.Split('\n').First(l => l.Length > 0 && !l.StartsWith('#')).Trim();
            long served = 0;
            await Task.WhenAll(clients.SelectMany(c => Enumerable.Range(0, 4).Select(async i =>
            {
                while (!stop.IsCancellationRequested)
                {
                    try
                    {
                        using var resp = await c.GetAsync(i == 0 ? "live.m3u8" : segment, stop.Token);
                        resp.EnsureSuccessStatusCode();
                        await resp.Content.CopyToAsync(Stream.Null, stop.Token);
                        Interlocked.Increment(ref served);
                    }
                    catch (OperationCanceledException) when (stop.IsCancellationRequested)
                    {
                    }
                }
            })));
            Assert.True(served > 100, $"only {served} responses in 4 s");
        }
        finally
        {
            foreach (var c in clients)
            {
                c.Dispose();
            }
        }
    }
}
