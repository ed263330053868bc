namespace HlsGateway.Hosting;

/// <summary>
/// The HTTPS listener, <c>Gateway:Tls:*</c>. Off unless <see cref="Url"/> is set. One port serves HTTP/1.1 and
/// HTTP/2 (chosen by ALPN) with a PEM certificate and key that are re-read when the files change (see docs/tls.md).
/// </summary>
internal sealed class TlsOptions
{
    public const string SectionName = "Gateway:Tls";

    /// <summary>Where HTTPS listens, e.g. <c>https://0.0.0.0:8443</c> (<c>*</c>, <c>+</c>, an IP or <c>localhost</c>; port 0 = any).</summary>
    public string? Url { get; set; }

    /// <summary>PEM certificate file; may hold the chain after the leaf (certbot's <c>fullchain.pem</c>).</summary>
    public string? CertificatePath { get; set; }

    /// <summary>PEM private key file (PKCS#8, PKCS#1 or SEC1, unencrypted) matching the certificate.</summary>
    public string? KeyPath { get; set; }

    /// <summary>
    /// How often the files are compared with the loaded ones, as a fallback to the directory watcher
    /// (which misses changes on some network and container volumes). Default 5 s.
    /// </summary>
    public TimeSpan ReloadCheckInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Coalesce HTTP writes into TLS records of up to 64 KB per write (<see cref="TlsWriteCoalescer"/>): HTTP/2 responses
    /// otherwise leave in ~4 KB records, one syscall each. Default true; false = Kestrel's own path (for A/B runs).
    /// </summary>
    public bool CoalesceWrites { get; set; } = true;

    /// <summary>
    /// Send the encrypted records from SslStream's buffer straight to the socket (<see cref="TlsDirectSend"/>) instead of
    /// copying them into the socket transport's pipe first. Default true; false = Kestrel's own path (for A/B runs).
    /// </summary>
    public bool DirectSend { get; set; } = true;

    public bool Enabled => !string.IsNullOrWhiteSpace(Url);
}
