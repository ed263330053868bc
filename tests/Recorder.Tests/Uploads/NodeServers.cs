using HlsGateway.Tests.Common;

namespace HlsGateway.Tests.Uploads;

/// <summary>
/// The npm reference servers under tests/ (tus, s3rver), started with node on a loopback port. A missing node
/// fails the test; missing node_modules are installed once with npm (test.sh normally did that already).
/// </summary>
internal static class NodeServers
{
    private static readonly SemaphoreSlim InstallGate = new(1, 1);

    public static string TestsDir => Path.Combine(Tools.RepoRoot, "tests");

    public static string Node => File.Exists("/usr/bin/node") ? "/usr/bin/node"
        : throw new InvalidOperationException("node is not installed at /usr/bin/node; run ./test.sh (it installs nodejs with apt-get).");

    public static async Task EnsureInstalledAsync()
    {
        await InstallGate.WaitAsync();
        try
        {
            if (Directory.Exists(Path.Combine(TestsDir, "node_modules", "@tus", "server")) && Directory.Exists(Path.Combine(TestsDir, "node_modules", "s3rver")))
            {
                return;
            }
            var npm = File.Exists("/usr/bin/npm") ? "/usr/bin/npm" : throw new InvalidOperationException("npm is not installed at /usr/bin/npm.");
            var (code, output) = await LocalProcess.RunAsync(npm, ["install", "--no-audit", "--no-fund", "--loglevel=error"], TimeSpan.FromMinutes(5), TestsDir);
            Assert.True(code == 0, "npm install in tests/ failed:\n" + output);
        }
        finally
        {
            InstallGate.Release();
        }
    }

    /// <summary>Starts <c>node tests/&lt;script&gt; args...</c> and waits for its port.</summary>
    public static async Task<LocalProcess> StartAsync(string script, int port, params string[] args)
    {
        await EnsureInstalledAsync();
        var p = LocalProcess.Start(Node, [Path.Combine(TestsDir, script), .. args], TestsDir);
        try
        {
            await LocalProcess.WaitForPortAsync(port, TimeSpan.FromSeconds(20));
        }
        catch
        {
            await p.DisposeAsync();
            throw;
        }
        return p;
    }
}
