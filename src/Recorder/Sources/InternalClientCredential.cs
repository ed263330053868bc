using System.Security.Cryptography;
using Microsoft.Extensions.Primitives;

namespace HlsGateway.Recorder.Sources;

/// <summary>
/// A per-process secret the recorder's own HTTP client sends to the gateway's loopback address, so its
/// fetches through the cache pass the IP allowlist, signature and rate checks meant for players. It is
/// random at every start, never configured, never logged, and stripped before anything reaches an origin.
/// </summary>
internal sealed class InternalClientCredential
{
    public const string HeaderName = "X-HlsGw-Internal";

    private readonly byte[] _token = RandomNumberGenerator.GetBytes(32);

    public InternalClientCredential() => Token = Convert.ToBase64String(_token);

    public string Token { get; }

    /// <summary>Constant-time check of a presented header value.</summary>
    public bool Matches(StringValues presented)
    {
        if (presented.Count != 1 || presented[0] is not { Length: > 0 } value)
        {
            return false;
        }
        Span<byte> candidate = stackalloc byte[64];
        if (!Convert.TryFromBase64String(value, candidate, out var written) || written != _token.Length)
        {
            return false;
        }
        return CryptographicOperations.FixedTimeEquals(candidate[..written], _token);
    }

    public override string ToString() => "InternalClientCredential(***)";

}
