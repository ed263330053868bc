using System.Collections.Frozen;
using System.Security.Cryptography;
using System.Text;

namespace HlsGateway.Access;

/// <summary>
/// A validated <see cref="AccessOptions"/> turned into what the hot path needs: decoded keys looked up by
/// span, the static allowlist as a <see cref="CidrSet"/>, the admin token as a hash. Immutable; replaced whole on reload.
/// </summary>
internal sealed class AccessSnapshot
{
    private readonly FrozenDictionary<string, byte[]>.AlternateLookup<ReadOnlySpan<char>> _keyLookup;

    /// <param name="fileCidrs">The parsed <c>Gateway:Access:AllowFile</c>, if any (see <see cref="AllowFileReader"/>).</param>
    public AccessSnapshot(AccessOptions options, IReadOnlyList<Cidr>? fileCidrs = null)
    {
        Options = options;
        StaticCidrs = [.. options.Access.Allow.Select(Parse), .. fileCidrs ?? []];
        StaticAllow = CidrSet.Create(StaticCidrs);
        TrustedProxies = options.Access.TrustedProxies.Select(Parse).ToArray();
        TrustedProxySet = CidrSet.Create(TrustedProxies);
        Keys = options.Signing.Keys.ToFrozenDictionary(
            static kv => kv.Key,
            static kv => AccessOptionsValidator.TryDecodeKey(kv.Value, out var k) ? k : throw new InvalidOperationException($"Gateway:Signing:Keys:{kv.Key}: not valid base64."),
            StringComparer.Ordinal);
        _keyLookup = Keys.GetAlternateLookup<ReadOnlySpan<char>>();
        SigningRequired = options.Signing.Required;
        ClockSkewMilliseconds = (long)options.Signing.ClockSkew.TotalMilliseconds;
        AdminTokenHash = string.IsNullOrEmpty(options.Admin.Token) ? null : SHA256.HashData(Encoding.UTF8.GetBytes(options.Admin.Token.Trim()));
    }

    public AccessOptions Options { get; }

    public IReadOnlyList<Cidr> StaticCidrs { get; }

    public CidrSet StaticAllow { get; }

    public IReadOnlyList<Cidr> TrustedProxies { get; }

    /// <summary><see cref="TrustedProxies"/> as a set, for the RFC 7239 <c>Forwarded</c> translation.</summary>
    public CidrSet TrustedProxySet { get; }

    public FrozenDictionary<string, byte[]> Keys { get; }

    public bool SigningRequired { get; }

    public long ClockSkewMilliseconds { get; }

    /// <summary>SHA-256 of the admin token (compared in constant time against the hash of the presented one); null: admin API off.</summary>
    public byte[]? AdminTokenHash { get; }

    public bool TryGetKey(ReadOnlySpan<char> kid, out byte[] key) => _keyLookup.TryGetValue(kid, out key!);

    private static Cidr Parse(string text) =>
        Cidr.TryParse(text, out var cidr, out var error) ? cidr : throw new InvalidOperationException(error);
}
