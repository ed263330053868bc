using System.Diagnostics;
using System.Text.Json;
using HlsGateway.Tests.Common;

namespace HlsGateway.Tests.Support;

/// <summary>
/// The real gateway executable (src/Gateway/bin/&lt;config&gt;/net10.0/Gateway.dll, built by the project reference)
/// as a child process on a free loopback port, with its admin API to read recording status.
/// </summary>
internal sealed class GatewayProcess : IAsyncDisposable
{
    public const string AdminToken = "crash-test-token";

    private GatewayProcess(LocalProcess process, int port)
    {
        Process = process;
        Client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(30) };
        Client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", AdminToken);
    }

    public LocalProcess Process { get; }

    public HttpClient Client { get; }

    public static async Task<GatewayProcess> StartAsync(IDictionary<string, string> settings)
    {
        var testDir = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar)); // .../bin/<config>/net10.0
        var dll = Path.Combine(Tools.RepoRoot, "src", "Gateway", "bin", testDir.Parent!.Name, testDir.Name, "Gateway.dll");
        Assert.True(File.Exists(dll), $"{dll} is missing; build src/Gateway -c {testDir.Parent!.Name}");
        var dotnet = Environment.ProcessPath is { } p && Path.GetFileNameWithoutExtension(p) == "dotnet" ? p : "dotnet";
        var port = LocalProcess.FreeTcpPort();
        var args = new List<string> { dll, $"--Kestrel:Endpoints:Http:Url=http://127.0.0.1:{port}", $"--Gateway:Admin:Token={AdminToken}" };
        args.AddRange(settings.Select(kv => $"--{kv.Key}={kv.Value}"));
        var process = LocalProcess.Start(dotnet, args, workingDirectory: Path.GetDirectoryName(dll));
        var started = Stopwatch.StartNew();
        while (!process.Output.Contains("HLS gateway listening", StringComparison.Ordinal))
        {
            if (process.HasExited || started.Elapsed > TimeSpan.FromSeconds(40))
            {
                await process.DisposeAsync();
                Assert.Fail("the gateway did not start:\n" + process.Output);
            }
            await Task.Delay(100);
        }
        return new GatewayProcess(process, port);
    }

    /// <summary>GET /admin/recordings/&lt;name&gt; (null while there is none).</summary>
    public async Task<JsonElement?> RecordingAsync(string name)
    {
        using var response = await Client.GetAsync("/admin/recordings/" + name);
        if (!response.IsSuccessStatusCode)
        {
            return null;
        }
        using var doc = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return doc.RootElement.Clone();
    }

    public async Task WaitForAsync(string name, Func<JsonElement, bool> condition, TimeSpan timeout, string what)
    {
        var until = DateTime.UtcNow + timeout;
        while (true)
        {
            Assert.False(Process.HasExited, "the gateway exited:\n" + Process.Output);
            if (await RecordingAsync(name) is { } status && condition(status))
            {
                return;
            }
            Assert.True(DateTime.UtcNow < until, $"timed out waiting for {what}; last status: {await RecordingAsync(name)}");
            await Task.Delay(200);
        }
    }

    /// <summary>SIGKILL of the whole process tree (ffmpeg children included), then waits for the exit.</summary>
    public async Task KillAsync()
    {
        Process.Kill();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await Process.WaitForExitAsync(cts.Token);
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await Process.DisposeAsync();
    }
}
