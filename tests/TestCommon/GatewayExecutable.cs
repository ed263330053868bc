using System.Diagnostics;
using Xunit;

namespace HlsGateway.Tests.Common;

/// <summary>The real gateway executable (the build matching this test build, made by the project reference), run as a child process.</summary>
public static class GatewayExecutable
{
    /// <summary>src/Gateway/bin/&lt;config&gt;/net10.0/Gateway.dll for this test build's configuration.</summary>
    public static string Dll()
    {
        var testDir = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar)); // .../bin/<config>/net10.0
        var dll = Path.Combine(Tools.RepoRoot, "src", "Gateway", "bin", testDir.Parent!.Name, testDir.Name, "Gateway.dll");
        Assert.True(File.Exists(dll), $"{dll} is missing; build src/Gateway -c {testDir.Parent!.Name}");
        return dll;
    }

    /// <summary>The dotnet host running the tests (falls back to the one on PATH).</summary>
    public static string Dotnet() =>
        Environment.ProcessPath is { } p && Path.GetFileNameWithoutExtension(p) == "dotnet" ? p : "dotnet";

    /// <summary>Starts the gateway with these arguments and returns once it printed its listening line (fails if it exits or takes over 40 s).</summary>
    public static async Task<LocalProcess> StartAsync(IEnumerable<string> args, IDictionary<string, string>? env = null)
    {
        var dll = Dll();
        var process = LocalProcess.Start(Dotnet(), [dll, .. args], Path.GetDirectoryName(dll), env);
        var sw = Stopwatch.StartNew();
        while (!process.Output.Contains("HLS gateway listening", StringComparison.Ordinal))
        {
            Assert.False(process.HasExited, "the gateway exited at start-up:\n" + process.Output);
            Assert.True(sw.Elapsed < TimeSpan.FromSeconds(40), "the gateway did not start:\n" + process.Output);
            await Task.Delay(100);
        }
        return process;
    }
}
