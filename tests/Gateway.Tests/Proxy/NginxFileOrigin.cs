using System.Globalization;
using HlsGateway.Tests.Common;

namespace HlsGateway.Tests.Proxy;

/// <summary>
/// Debian's nginx serving a directory (e.g. a live ffmpeg channel) as an origin on a fixed loopback port, as a separate
/// process that can be SIGKILLed mid-stream and started again on the same port. Requests are logged to
/// <see cref="AccessLog"/>, one line each, so a test can tell which origin answered.
/// </summary>
internal sealed class NginxFileOrigin : IAsyncDisposable
{
    private readonly DirectoryInfo _prefix;
    private readonly string _root;
    private LocalProcess? _process;

    private NginxFileOrigin(DirectoryInfo prefix, string root, int port)
    {
        _prefix = prefix;
        _root = root;
        Port = port;
    }

    public int Port { get; }

    public string BaseUrl => $"http://127.0.0.1:{Port.ToString(CultureInfo.InvariantCulture)}";

    public string AccessLog => Path.Combine(_prefix.FullName, "logs", "access.log");

    public int RequestCount => File.Exists(AccessLog) ? File.ReadLines(AccessLog).Count() : 0;

    public static async Task<NginxFileOrigin> StartAsync(string root)
    {
        var prefix = Directory.CreateTempSubdirectory("gw-nginx-origin");
        Directory.CreateDirectory(Path.Combine(prefix.FullName, "logs"));
        Directory.CreateDirectory(Path.Combine(prefix.FullName, "tmp"));
        var origin = new NginxFileOrigin(prefix, Path.GetFullPath(root), LocalProcess.FreeTcpPort());
        await origin.RestartAsync();
        return origin;
    }

    /// <summary>SIGKILL, master and worker: open connections are reset, the port refuses connections.</summary>
    public async Task KillAsync()
    {
        if (_process is { } p)
        {
            _process = null;
            await p.DisposeAsync(); // kills the tree and waits for it
        }
    }

    /// <summary>Starts nginx (again) on <see cref="Port"/>.</summary>
    public async Task RestartAsync()
    {
        var p = _prefix.FullName;
        var user = Environment.UserName == "root" ? "user root;\n" : string.Empty; // workers must read the media directory
        var conf = $$"""
            {{user}}worker_processes 1;
            daemon off;
            pid {{p}}/nginx.pid;
            error_log {{p}}/logs/error.log warn;
            events { worker_connections 4096; }
            http {
                access_log {{p}}/logs/access.log;
                client_body_temp_path {{p}}/tmp/body;
                proxy_temp_path {{p}}/tmp/proxy;
                fastcgi_temp_path {{p}}/tmp/fastcgi;
                uwsgi_temp_path {{p}}/tmp/uwsgi;
                scgi_temp_path {{p}}/tmp/scgi;
                types { application/vnd.apple.mpegurl m3u8; video/mp2t ts; }
                keepalive_requests 100000;
                server {
                    listen 127.0.0.1:{{Port.ToString(CultureInfo.InvariantCulture)}};
                    root {{_root}};
                    location ~ \.m3u8$ { add_header Cache-Control no-cache; }
                }
            }
            """;
        var confPath = Path.Combine(p, "nginx.conf");
        await File.WriteAllTextAsync(confPath, conf);
        _process = await LocalProcess.StartListeningAsync(Tools.Nginx, ["-p", p + "/", "-c", confPath], Port, Path.Combine(p, "logs/error.log"));
    }

    public async ValueTask DisposeAsync()
    {
        await KillAsync();
        try
        {
            _prefix.Delete(recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
