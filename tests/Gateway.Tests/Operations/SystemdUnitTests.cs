using System.Diagnostics;
using HlsGateway.Hosting;

namespace HlsGateway.Tests.Operations;

/// <summary><c>deploy/systemd/hls-gateway.service</c> checked by systemd's own <c>systemd-analyze verify</c> (test.sh installs it when missing).</summary>
public sealed class SystemdUnitTests
{
    private static readonly string Unit = Path.Combine(RepoRoot(), "deploy", "systemd", "hls-gateway.service");

    [Fact]
    public async Task Unit_passes_systemd_analyze_verify()
    {
        var (rc, output) = await VerifyAsync(File.ReadAllText(Unit));
        Assert.True(rc == 0 && output.Length == 0, $"systemd-analyze verify: rc {rc}\n{output}");
    }

    [Fact]
    public async Task Verify_catches_a_broken_unit()
    {
        // the check above is only worth something if verify complains about a typo'd directive
        var (_, output) = await VerifyAsync(File.ReadAllText(Unit).Replace("NoNewPrivileges=yes", "NoNewPrivilege=yes", StringComparison.Ordinal));
        Assert.Contains("NoNewPrivilege", output, StringComparison.Ordinal);
    }

    [Fact]
    public void Unit_runs_non_root_hardened_and_waits_longer_than_the_drain()
    {
        var lines = File.ReadAllLines(Unit).Select(l => l.Trim()).Where(l => l.Length > 0 && !l.StartsWith('#')).ToArray();
        string Value(string key) => lines.Single(l => l.StartsWith(key + "=", StringComparison.Ordinal))[(key.Length + 1)..];
        Assert.Equal("hls-gateway", Value("User"));
        foreach (var (key, value) in new[] { ("NoNewPrivileges", "yes"), ("ProtectSystem", "strict"), ("ProtectHome", "yes"), ("PrivateTmp", "yes"), ("KillSignal", "SIGTERM"), ("Restart", "on-failure") })
        {
            Assert.Equal(value, Value(key));
        }
        Assert.Contains("/var/lib/hls-gateway", Value("ReadWritePaths"), StringComparison.Ordinal);
        Assert.Contains("CAP_SYS_NICE", Value("CapabilityBoundingSet"), StringComparison.Ordinal);
        Assert.True(long.Parse(Value("LimitNOFILE"), System.Globalization.CultureInfo.InvariantCulture) >= 65536);
        Assert.True(TimeSpan.FromSeconds(int.Parse(Value("TimeoutStopSec"), System.Globalization.CultureInfo.InvariantCulture)) > new HostingOptions().ShutdownTimeout);
        Assert.StartsWith("/usr/bin/dotnet /opt/hls-gateway/Gateway.dll", Value("ExecStart"), StringComparison.Ordinal);
    }

    private static async Task<(int Rc, string Output)> VerifyAsync(string unitText)
    {
        var dir = Directory.CreateTempSubdirectory("unit-");
        try
        {
            // verify checks that ExecStart's binary exists: point it at this machine's dotnet
            var dotnet = Environment.ProcessPath is { } p && Path.GetFileNameWithoutExtension(p) == "dotnet" ? p : "/usr/bin/dotnet";
            var path = Path.Combine(dir.FullName, "hls-gateway.service");
            File.WriteAllText(path, unitText.Replace("/usr/bin/dotnet", dotnet, StringComparison.Ordinal));
            var psi = new ProcessStartInfo("systemd-analyze", ["verify", path]) { RedirectStandardOutput = true, RedirectStandardError = true };
            using var process = Process.Start(psi)!;
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(60));
            // lines about units this one merely names (network-online.target, redis-server.service) are not its problems
            var output = string.Join("\n", ((await stdout) + (await stderr)).Split('\n', StringSplitOptions.RemoveEmptyEntries)
                .Where(l => !l.Contains("redis-server.service", StringComparison.Ordinal)));
            return (process.ExitCode, output);
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    private static string RepoRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Gateway.sln")))
        {
            dir = dir.Parent;
        }
        return dir?.FullName ?? throw new InvalidOperationException("repository root not found");
    }
}
