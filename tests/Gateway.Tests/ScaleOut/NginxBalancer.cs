using System.Globalization;
using HlsGateway.Tests.Common;

namespace HlsGateway.Tests.ScaleOut;

/// <summary>
/// Debian's nginx as a plain round-robin balancer (no caching) over gateway instances on loopback:
/// its own prefix directory and config, HTTP/1.1 keep-alive upstream connections, and
/// <c>proxy_next_upstream error timeout</c> so a request that could not reach an instance is retried
/// on the next one. Responses carry <c>X-Upstream</c> (the instance that answered).
/// </summary>
internal sealed class NginxBalancer : IAsyncDisposable
{
    private readonly LocalProcess _process;
    private readonly DirectoryInfo _prefix;

    private NginxBalancer(LocalProcess process, DirectoryInfo prefix, int port)
    {
        _process = process;
        _prefix = prefix;
        Port = port;
    }

    public int Port { get; }

    public string BaseUrl => $"http://127.0.0.1:{Port.ToString(CultureInfo.InvariantCulture)}";

    public static async Task<NginxBalancer> StartAsync(IEnumerable<int> upstreamPorts)
    {
        var nginx = Tools.Nginx;
        var prefix = Directory.CreateTempSubdirectory("gw-nginx");
        Directory.CreateDirectory(Path.Combine(prefix.FullName, "logs"));
        Directory.CreateDirectory(Path.Combine(prefix.FullName, "tmp"));
        var port = LocalProcess.FreeTcpPort();
        var p = prefix.FullName;
        var servers = string.Concat(upstreamPorts.Select(u => $"        server 127.0.0.1:{u} max_fails=1 fail_timeout=10s;\n"));
        var user = Environment.UserName == "root" ? "user root;\n" : string.Empty; // workers must reach the temp dirs
        var conf = $$"""
            {{user}}worker_processes 1;
            daemon off;
            pid {{p}}/nginx.pid;
            error_log {{p}}/logs/error.log warn;
            events { worker_connections 8192; }
            http {
                access_log off;
                client_body_temp_path {{p}}/tmp/body;
                proxy_temp_path {{p}}/tmp/proxy;
                fastcgi_temp_path {{p}}/tmp/fastcgi;
                uwsgi_temp_path {{p}}/tmp/uwsgi;
                scgi_temp_path {{p}}/tmp/scgi;
                upstream gateways {
            {{servers}}        keepalive 64;
                }
                server {
                    listen 127.0.0.1:{{port}};
                    location / {
                        proxy_pass http://gateways;
                        proxy_http_version 1.1;
                        proxy_set_header Connection "";
                        proxy_set_header Host $host;
                        proxy_next_upstream error timeout;
                        proxy_next_upstream_tries 3;
                        proxy_connect_timeout 1s;
                        proxy_read_timeout 30s;
                        add_header X-Upstream $upstream_addr always;
                    }
                }
            }
            """;
        var confPath = Path.Combine(p, "nginx.conf");
        await File.WriteAllTextAsync(confPath, conf);
        var process = await LocalProcess.StartListeningAsync(nginx, ["-p", p + "/", "-c", confPath], port, Path.Combine(p, "logs/error.log"));
        return new NginxBalancer(process, prefix, port);
    }

    public async ValueTask DisposeAsync()
    {
        await _process.DisposeAsync();
        try
        {
            _prefix.Delete(recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
