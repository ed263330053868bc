using System.Buffers.Binary;

namespace HlsGateway.Access;

/// <summary>
/// Remembers signatures whose HMAC was already verified, with the exact inputs they were verified
/// for, so a player's next request with the same token (every child of a playlist shares one acl
/// signature) costs compares instead of an HMAC. Direct-mapped by the signature's first bytes (random,
/// since they are MAC output); entries are only ever written after a successful MAC check, a hit needs
/// the same signature, the same inputs and the same key object (a rotated key misses), and expiry and
/// IP binding are still checked by the caller on every request. Bounded: 4096 slots, no allocation on a hit.
/// </summary>
internal static class VerifiedSignatureCache
{
    private const int Slots = 4096;
    private static readonly Entry?[] Table = new Entry?[Slots];

    /// <summary>A verified token. <see cref="Signed"/> is the request's parameters, built once on first use.</summary>
    internal sealed class Entry(byte[] sig, byte[] key, string scope, string exp, string kid, string ip)
    {
        public readonly byte[] Sig = sig;
        public readonly byte[] Key = key;
        public readonly string Scope = scope;
        public readonly string Exp = exp;
        public readonly string Kid = kid;
        public readonly string Ip = ip;

        /// <summary>Set racily (two threads may both build one; either is correct).</summary>
        public SignedRequest? Signed;
    }

    private static int SlotOf(ReadOnlySpan<byte> sig) => (int)(BinaryPrimitives.ReadUInt32LittleEndian(sig) % Slots);

    public static Entry? Find(ReadOnlySpan<byte> sig, byte[] key, ReadOnlySpan<char> scope, ReadOnlySpan<char> exp, ReadOnlySpan<char> kid, ReadOnlySpan<char> ip)
    {
        var e = Volatile.Read(ref Table[SlotOf(sig)]);
        return e is not null
            && ReferenceEquals(e.Key, key)
            && sig.SequenceEqual(e.Sig)
            && scope.SequenceEqual(e.Scope)
            && exp.SequenceEqual(e.Exp)
            && kid.SequenceEqual(e.Kid)
            && ip.SequenceEqual(e.Ip) ? e : null;
    }

    /// <summary>Only after the MAC over exactly these inputs matched <paramref name="sig"/>.</summary>
    public static Entry AddVerified(ReadOnlySpan<byte> sig, byte[] key, ReadOnlySpan<char> scope, ReadOnlySpan<char> exp, ReadOnlySpan<char> kid, ReadOnlySpan<char> ip)
    {
        var entry = new Entry(sig.ToArray(), key, scope.ToString(), exp.ToString(), kid.ToString(), ip.ToString());
        Volatile.Write(ref Table[SlotOf(sig)], entry);
        return entry;
    }
}
