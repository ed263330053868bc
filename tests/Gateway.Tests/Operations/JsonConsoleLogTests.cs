using System.Diagnostics;
using System.Text.Json;
using HlsGateway.Tests.Common;

namespace HlsGateway.Tests.Operations;

/// <summary>The published gateway process with <c>Logging:Console:FormatterName=json</c> writes one JSON object per log entry, access lines included.</summary>
public sealed class JsonConsoleLogTests
{
    [Fact]
    public async Task Gateway_process_logs_json_lines_with_event_ids()
    {
        var testDir = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar)); // .../bin/<config>/net10.0
        var dll = Path.Combine(Tools.RepoRoot, "src", "Gateway", "bin", testDir.Parent!.Name, testDir.Name, "Gateway.dll");
        Assert.True(File.Exists(dll), dll);
        var dotnet = Environment.ProcessPath is { } p && Path.GetFileNameWithoutExtension(p) == "dotnet" ? p : "dotnet";
        var port = LocalProcess.FreeTcpPort();
        await using var process = LocalProcess.Start(dotnet,
            [dll, $"--Kestrel:Endpoints:Http:Url=http://127.0.0.1:{port}", "--Logging:Console:FormatterName=json", "--Gateway:AccessLog:Enabled=true"],
            workingDirectory: Path.GetDirectoryName(dll));
        using var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
        var watch = Stopwatch.StartNew();
        JsonElement? access = null;
        while (access is null && watch.Elapsed < TimeSpan.FromSeconds(40) && !process.HasExited)
        {
            try
            {
                using var response = await client.GetAsync("/hls/demo/vod.m3u8");
            }
            catch (HttpRequestException)
            {
                // not listening yet
            }
            await Task.Delay(200);
            foreach (var line in process.Output.Split('\n').Where(l => l.StartsWith("{\"EventId\":7400", StringComparison.Ordinal)))
            {
                access = JsonDocument.Parse(line).RootElement.Clone();
            }
        }
        Assert.True(access is not null, process.Output);
        Assert.Equal("HlsGateway.AccessLog", access.Value.GetProperty("Category").GetString());
        Assert.Contains(" GET /hls/demo/vod.m3u8 200 ", access.Value.GetProperty("Message").GetString(), StringComparison.Ordinal);
        // every log entry the process wrote before the banner lines is a JSON object
        var lifetime = process.Output.Split('\n').First(l => l.Contains("Microsoft.Hosting.Lifetime", StringComparison.Ordinal));
        Assert.Equal(14, JsonDocument.Parse(lifetime).RootElement.GetProperty("EventId").GetInt32());
    }
}
