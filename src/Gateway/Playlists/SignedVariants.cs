using System.Collections.Concurrent;
using HlsGateway.Access;

namespace HlsGateway.Playlists;

/// <summary>
/// Signed rewrites of one cached playlist, keyed by the exact signature parameters (exp, kid, acl, ip)
/// and the key they were signed with. Lives as long as the cache entry; bounded in count.
/// </summary>
internal sealed class SignedVariants
{
    public const int MaxBodyBytes = 256 * 1024;
    private const int MaxVariants = 256;
    private readonly ConcurrentDictionary<SignedRequest, (byte[] Key, byte[] Body)> _bodies = new();

    public bool TryGet(SignedRequest signed, byte[] key, out byte[] body)
    {
        if (_bodies.TryGetValue(signed, out var v) && ReferenceEquals(v.Key, key))
        {
            body = v.Body;
            return true;
        }
        body = [];
        return false;
    }

    public void Add(SignedRequest signed, byte[] key, byte[] body)
    {
        if (_bodies.Count >= MaxVariants)
        {
            _bodies.Clear(); // a crowd of distinct tokens on one short-lived entry: start over rather than grow
        }
        _bodies[signed] = (key, body);
    }
}
