using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace HlsGateway.Tests.Hosting;

/// <summary>Self-signed ECDSA P-256 PEM pairs written to a directory, replaced by atomic rename like certbot.</summary>
internal static class TestCertificates
{
    public static X509Certificate2 Write(string dir, string certName = "cert.pem", string keyName = "key.pem", DateTimeOffset? notBefore = null, DateTimeOffset? notAfter = null, ECDsa? key = null)
    {
        using var ownKey = key is null ? ECDsa.Create(ECCurve.NamedCurves.nistP256) : null;
        var k = key ?? ownKey!;
        var req = new CertificateRequest("CN=localhost", k, HashAlgorithmName.SHA256);
        var san = new SubjectAlternativeNameBuilder();
        san.AddDnsName("localhost");
        san.AddIpAddress(System.Net.IPAddress.Loopback);
        req.CertificateExtensions.Add(san.Build());
        var cert = req.CreateSelfSigned(notBefore ?? DateTimeOffset.UtcNow.AddDays(-1), notAfter ?? DateTimeOffset.UtcNow.AddDays(30));
        AtomicWrite(Path.Combine(dir, certName), cert.ExportCertificatePem());
        AtomicWrite(Path.Combine(dir, keyName), k.ExportPkcs8PrivateKeyPem());
        return cert;
    }

    /// <summary>
    /// Writes a pair to <paramref name="dir"/> and returns the gateway arguments for a cleartext listener on
    /// <paramref name="port"/> next to the HTTPS one on <paramref name="tlsPort"/> serving it.
    /// </summary>
    public static List<string> GatewayArgs(string dir, int port, int tlsPort)
    {
        Write(dir);
        return ["--urls", $"http://127.0.0.1:{port}", $"--Gateway:Tls:Url=https://127.0.0.1:{tlsPort}",
            $"--Gateway:Tls:CertificatePath={Path.Combine(dir, "cert.pem")}", $"--Gateway:Tls:KeyPath={Path.Combine(dir, "key.pem")}"];
    }

    private static void AtomicWrite(string path, string text)
    {
        var tmp = path + ".tmp-" + Guid.NewGuid().ToString("N");
        File.WriteAllText(tmp, text);
        File.Move(tmp, path, overwrite: true); // rename(2): a new inode, as certbot / cert-manager do
    }
}
