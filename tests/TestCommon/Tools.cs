namespace HlsGateway.Tests.Common;

/// <summary>
/// Paths of the Debian tools the tests drive. test.sh installs them; a missing tool fails the test
/// (it is never skipped), with a message saying what to install.
/// </summary>
public static class Tools
{
    public static string RedisServer => Require("redis-server", "/usr/bin/redis-server");
    public static string Ffmpeg => Require("ffmpeg", "/usr/bin/ffmpeg");
    public static string Ffprobe => Require("ffprobe", "/usr/bin/ffprobe");
    public static string Nginx => Require("nginx", "/usr/sbin/nginx");
    public static string Haproxy => Require("haproxy", "/usr/sbin/haproxy");
    public static string Chromium => Require("chromium", "/usr/bin/chromium");
    public static string Prometheus => Require("prometheus", "/usr/bin/prometheus");
    public static string Promtool => Require("promtool", "/usr/bin/promtool");

    private static string Require(string name, string path) =>
        File.Exists(path) ? path : throw new InvalidOperationException($"{name} is not installed at {path}; run ./test.sh (it installs it with apt-get).");

    /// <summary>The repository root (where Gateway.sln is).</summary>
    public static string RepoRoot
    {
        get
        {
            var dir = new DirectoryInfo(AppContext.BaseDirectory);
            while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Gateway.sln")))
            {
                dir = dir.Parent;
            }
            return dir?.FullName ?? throw new InvalidOperationException("Gateway.sln not found above " + AppContext.BaseDirectory);
        }
    }
}
