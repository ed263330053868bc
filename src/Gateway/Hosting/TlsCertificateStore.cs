using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace HlsGateway.Hosting;

/// <summary>
/// The certificate new TLS handshakes use: a cached <see cref="SslStreamCertificateContext"/> (chain built once,
/// not per handshake), swapped atomically by <see cref="TlsCertificateReloader"/>. Open connections keep the
/// certificate they were handshaken with.
/// </summary>
internal sealed class TlsCertificateStore
{
    private Loaded _current;

    private TlsCertificateStore(TlsOptions options, Loaded loaded)
    {
        Options = options;
        _current = loaded;
    }

    public TlsOptions Options { get; }

    public SslStreamCertificateContext Current => Volatile.Read(ref _current).Context;

    public X509Certificate2 Certificate => Volatile.Read(ref _current).Certificate;

    /// <summary>Loads the configured files or returns errors naming the key and the file (start-up refuses them).</summary>
    public static TlsCertificateStore Create(TlsOptions options, TimeProvider time, List<string> errors)
    {
        var loaded = TryLoad(options, time, errors);
        return loaded is null ? null! : new TlsCertificateStore(options, loaded);
    }

    /// <summary>Re-reads the files; swaps in the new certificate when they changed and are valid.</summary>
    /// <returns>true when a new certificate was swapped in; false when unchanged; errors when the new files are bad (the old certificate stays).</returns>
    public bool TryReload(TimeProvider time, List<string> errors)
    {
        var current = Volatile.Read(ref _current);
        byte[] cert, key;
        try
        {
            cert = File.ReadAllBytes(Options.CertificatePath!);
            key = File.ReadAllBytes(Options.KeyPath!);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            errors.Add($"{TlsOptions.SectionName}: cannot read the certificate or key ({ex.Message}).");
            return false;
        }
        if (cert.AsSpan().SequenceEqual(current.CertBytes) && key.AsSpan().SequenceEqual(current.KeyBytes))
        {
            return false;
        }
        var loaded = TryLoad(Options, time, errors, cert, key);
        if (loaded is null)
        {
            return false;
        }
        Volatile.Write(ref _current, loaded);
        return true;
    }

    private static Loaded? TryLoad(TlsOptions o, TimeProvider time, List<string> errors, byte[]? certBytes = null, byte[]? keyBytes = null)
    {
        const string s = TlsOptions.SectionName;
        if (string.IsNullOrWhiteSpace(o.CertificatePath))
        {
            errors.Add($"{s}:CertificatePath: required when {s}:Url is set (a PEM certificate file).");
        }
        if (string.IsNullOrWhiteSpace(o.KeyPath))
        {
            errors.Add($"{s}:KeyPath: required when {s}:Url is set (a PEM private key file).");
        }
        if (errors.Count > 0)
        {
            return null;
        }
        certBytes ??= ReadFile($"{s}:CertificatePath", o.CertificatePath!, errors);
        keyBytes ??= ReadFile($"{s}:KeyPath", o.KeyPath!, errors);
        if (certBytes is null || keyBytes is null)
        {
            return null;
        }

        var chain = new X509Certificate2Collection();
        try
        {
            chain.ImportFromPem(System.Text.Encoding.ASCII.GetString(certBytes));
        }
        catch (CryptographicException ex)
        {
            errors.Add($"{s}:CertificatePath: '{o.CertificatePath}' is not a PEM certificate ({ex.Message}).");
            return null;
        }
        if (chain.Count == 0)
        {
            errors.Add($"{s}:CertificatePath: '{o.CertificatePath}' holds no PEM certificate.");
            return null;
        }

        X509Certificate2 leaf;
        try
        {
            leaf = X509Certificate2.CreateFromPem(System.Text.Encoding.ASCII.GetString(certBytes), System.Text.Encoding.ASCII.GetString(keyBytes));
        }
        catch (CryptographicException ex)
        {
            errors.Add($"{s}:KeyPath: '{o.KeyPath}' is not an unencrypted PEM private key matching the certificate in '{o.CertificatePath}' ({ex.Message}).");
            return null;
        }
        catch (ArgumentException ex)
        {
            errors.Add($"{s}:KeyPath: '{o.KeyPath}' holds no usable PEM private key for '{o.CertificatePath}' ({ex.Message}).");
            return null;
        }

        var now = time.GetUtcNow().UtcDateTime;
        if (leaf.NotAfter.ToUniversalTime() < now)
        {
            errors.Add($"{s}:CertificatePath: the certificate in '{o.CertificatePath}' expired on {leaf.NotAfter.ToUniversalTime():u} (subject {leaf.Subject}).");
            return null;
        }
        if (leaf.NotBefore.ToUniversalTime() > now)
        {
            errors.Add($"{s}:CertificatePath: the certificate in '{o.CertificatePath}' is not valid before {leaf.NotBefore.ToUniversalTime():u} (subject {leaf.Subject}).");
            return null;
        }

        var intermediates = new X509Certificate2Collection();
        for (var i = 1; i < chain.Count; i++)
        {
            intermediates.Add(chain[i]);
        }
        // offline: the chain is what the file holds, no AIA fetches on the handshake path
        var context = SslStreamCertificateContext.Create(leaf, intermediates, offline: true);
        return new Loaded(leaf, context, certBytes, keyBytes);
    }

    private static byte[]? ReadFile(string key, string path, List<string> errors)
    {
        try
        {
            return File.ReadAllBytes(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            errors.Add($"{key}: cannot read '{path}' ({ex.Message}).");
            return null;
        }
    }

    private sealed record Loaded(X509Certificate2 Certificate, SslStreamCertificateContext Context, byte[] CertBytes, byte[] KeyBytes);
}
