using System.Diagnostics;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using HlsGateway.Tests.Common;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace HlsGateway.Tests.Hosting;

public sealed class TlsEndpointTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("gw-tls-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private Dictionary<string, string?> Settings() => new()
    {
        ["Gateway:Tls:Url"] = "https://127.0.0.1:0",
        ["Gateway:Tls:CertificatePath"] = Path.Combine(_dir, "cert.pem"),
        ["Gateway:Tls:KeyPath"] = Path.Combine(_dir, "key.pem"),
    };

    private static Uri HttpsAddress(GatewayHost gw) =>
        new(gw.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single(a => a.StartsWith("https://", StringComparison.Ordinal)));

    private static async Task<string> HandshakeSerialAsync(Uri https)
    {
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(https.Host, https.Port);
        await using var ssl = new SslStream(tcp.GetStream());
        await ssl.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
        {
            TargetHost = "localhost",
            RemoteCertificateValidationCallback = (_, _, _, _) => true,
            ApplicationProtocols = [SslApplicationProtocol.Http2],
        });
        Assert.Equal(SslApplicationProtocol.Http2, ssl.NegotiatedApplicationProtocol);
        return new X509Certificate2(ssl.RemoteCertificate!).SerialNumber;
    }

    [Fact]
    public async Task One_https_port_serves_http2_and_http11_by_alpn_beside_the_cleartext_listener()
    {
        var cert = TestCertificates.Write(_dir);
        await using var gw = await GatewayHost.StartAsync(Settings());
        var https = HttpsAddress(gw);
        using var client = new HttpClient(new SocketsHttpHandler { SslOptions = { RemoteCertificateValidationCallback = (_, _, _, _) => true } });
        foreach (var version in new[] { HttpVersion.Version20, HttpVersion.Version11 })
        {
            using var req = new HttpRequestMessage(HttpMethod.Get, new Uri(https, "/health/live")) { Version = version, VersionPolicy = HttpVersionPolicy.RequestVersionExact };
            using var resp = await client.SendAsync(req);
            Assert.Equal(HttpStatusCode.OK, resp.StatusCode);
            Assert.Equal(version, resp.Version);
        }
        Assert.Equal(cert.SerialNumber, await HandshakeSerialAsync(https));
        using var clear = await gw.Client.GetAsync("/health/live");
        Assert.Equal(HttpStatusCode.OK, clear.StatusCode); // the cleartext endpoint still listens

        foreach (var (flag, expected) in new[] { ("--http2", "2"), ("--http1.1", "1.1") })
        {
            var (code, output) = await LocalProcess.RunAsync("curl", ["-sk", flag, "-o", "/dev/null", "-w", "%{http_version} %{http_code}", new Uri(https, "/health/live").ToString()], TimeSpan.FromSeconds(30));
            Assert.Equal(0, code);
            Assert.Equal($"{expected} 200", output.Trim());
        }
    }

    [Fact]
    public async Task Renewed_pem_files_replaced_by_rename_serve_new_handshakes_and_keep_the_open_http2_connection()
    {
        var first = TestCertificates.Write(_dir);
        await using var gw = await GatewayHost.StartAsync(Settings());
        var https = HttpsAddress(gw);
        Assert.Equal(first.SerialNumber, await HandshakeSerialAsync(https));

        var connections = 0;
        using var client = new HttpClient(new SocketsHttpHandler
        {
            SslOptions = { RemoteCertificateValidationCallback = (_, _, _, _) => true },
            ConnectCallback = async (ctx, ct) =>
            {
                Interlocked.Increment(ref connections);
                var s = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
                await s.ConnectAsync(ctx.DnsEndPoint, ct);
                return new NetworkStream(s, ownsSocket: true);
            },
        }) { DefaultRequestVersion = HttpVersion.Version20, DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact };
        using (var r = await client.GetAsync(new Uri(https, "/health/live")))
        {
            Assert.Equal(HttpVersion.Version20, r.Version);
        }

        var second = TestCertificates.Write(_dir);
        Assert.NotEqual(first.SerialNumber, second.SerialNumber);
        var sw = Stopwatch.StartNew();
        string serial;
        while ((serial = await HandshakeSerialAsync(https)) != second.SerialNumber && sw.Elapsed < TimeSpan.FromSeconds(10))
        {
            await Task.Delay(200);
        }
        Assert.Equal(second.SerialNumber, serial); // within 10 s, no restart

        using (var r = await client.GetAsync(new Uri(https, "/health/live")))
        {
            Assert.Equal(HttpStatusCode.OK, r.StatusCode);
        }
        Assert.Equal(1, connections); // the HTTP/2 connection opened before the swap was not dropped

        // a broken renewal (key of another certificate) is refused; the running certificate stays
        using var other = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        File.WriteAllText(Path.Combine(_dir, "key.pem.tmp"), other.ExportPkcs8PrivateKeyPem());
        File.Move(Path.Combine(_dir, "key.pem.tmp"), Path.Combine(_dir, "key.pem"), overwrite: true);
        await Task.Delay(TimeSpan.FromSeconds(7));
        Assert.Equal(second.SerialNumber, await HandshakeSerialAsync(https));
    }

    [Fact]
    public void Missing_files_a_mismatched_key_and_an_expired_certificate_refuse_start_up_naming_key_and_file()
    {
        var cert = Path.Combine(_dir, "cert.pem");
        var key = Path.Combine(_dir, "key.pem");
        string Refusal(params string[] extra)
        {
            var ex = Assert.Throws<OptionsValidationException>(() => GatewayApp.Build([
                "--Kestrel:Endpoints:Http:Url=http://127.0.0.1:0", "--Gateway:Tls:Url=https://127.0.0.1:0", .. extra]));
            return string.Join("\n", ex.Failures);
        }

        var missing = Refusal($"--Gateway:Tls:CertificatePath={cert}", $"--Gateway:Tls:KeyPath={key}");
        Assert.Contains("Gateway:Tls:CertificatePath", missing);
        Assert.Contains(cert, missing);

        TestCertificates.Write(_dir);
        TestCertificates.Write(_dir, certName: "other-cert.pem", keyName: "other-key.pem");
        var mismatch = Refusal($"--Gateway:Tls:CertificatePath={cert}", $"--Gateway:Tls:KeyPath={Path.Combine(_dir, "other-key.pem")}");
        Assert.Contains("Gateway:Tls:KeyPath", mismatch);
        Assert.Contains("other-key.pem", mismatch);

        TestCertificates.Write(_dir, certName: "old-cert.pem", keyName: "old-key.pem", notBefore: DateTimeOffset.UtcNow.AddDays(-60), notAfter: DateTimeOffset.UtcNow.AddDays(-1));
        var expired = Refusal($"--Gateway:Tls:CertificatePath={Path.Combine(_dir, "old-cert.pem")}", $"--Gateway:Tls:KeyPath={Path.Combine(_dir, "old-key.pem")}");
        Assert.Contains("Gateway:Tls:CertificatePath", expired);
        Assert.Contains("old-cert.pem", expired);
        Assert.Contains("expired", expired);

        Assert.Contains("Gateway:Tls:KeyPath", Refusal($"--Gateway:Tls:CertificatePath={cert}"));
    }
}
