using System.Globalization;
using HlsGateway.Tests.Common;

namespace HlsGateway.Tests.ScaleOut;

/// <summary>
/// Debian's HAProxy in front of gateway instances on loopback, with the readiness check of
/// deploy/haproxy/haproxy.cfg (<c>option httpchk GET /health/ready</c>, 200 expected) at a short test interval.
/// <c>retries 0</c> and no redispatch: a request sent to an instance that no longer listens fails, so a
/// test over it shows the check took the instance out first. Responses carry <c>X-Upstream</c> (server name).
/// </summary>
internal sealed class HaproxyBalancer : IAsyncDisposable
{
    private readonly LocalProcess _process;
    private readonly DirectoryInfo _dir;

    private HaproxyBalancer(LocalProcess process, DirectoryInfo dir, int port)
    {
        _process = process;
        _dir = dir;
        Port = port;
    }

    public int Port { get; }

    public string BaseUrl => $"http://127.0.0.1:{Port.ToString(CultureInfo.InvariantCulture)}";

    public string Output => _process.Output;

    /// <param name="servers">(name, port) per gateway instance.</param>
    public static async Task<HaproxyBalancer> StartAsync(IEnumerable<(string Name, int Port)> servers, string checkInterval = "300ms")
    {
        var haproxy = Tools.Haproxy;
        var dir = Directory.CreateTempSubdirectory("gw-haproxy");
        var port = LocalProcess.FreeTcpPort();
        var lines = string.Concat(servers.Select(s => $"    server {s.Name} 127.0.0.1:{s.Port.ToString(CultureInfo.InvariantCulture)} check\n"));
        var conf = $"""
            global
                maxconn 4096

            defaults
                mode http
                timeout connect 1s
                timeout client 30s
                timeout server 30s
                timeout check 2s

            frontend players
                bind 127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}
                default_backend gateways

            backend gateways
                balance roundrobin
                retries 0
                option httpchk GET /health/ready
                http-check expect status 200
                default-server inter {checkInterval} fall 2 rise 1
                http-response set-header X-Upstream %s
            {lines}
            """;
        var path = Path.Combine(dir.FullName, "haproxy.cfg");
        await File.WriteAllTextAsync(path, conf);
        var check = await LocalProcess.RunAsync(haproxy, ["-c", "-f", path], TimeSpan.FromSeconds(20));
        Assert.True(check.ExitCode == 0, "haproxy -c rejected the config:\n" + check.Output + "\n" + conf);
        var process = await LocalProcess.StartListeningAsync(haproxy, ["-db", "-f", path], port);
        return new HaproxyBalancer(process, dir, port);
    }

    public async ValueTask DisposeAsync()
    {
        await _process.DisposeAsync();
        try
        {
            _dir.Delete(recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
