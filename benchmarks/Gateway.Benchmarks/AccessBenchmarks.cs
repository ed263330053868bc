using System.Net;
using BenchmarkDotNet.Attributes;
using HlsGateway.Access;

namespace HlsGateway.Benchmarks;

/// <summary>
/// The per-request access checks (issue 4 target: under 1 µs and no allocation each): an allowlist of 100k
/// CIDRs (50k IPv4 /32s and 50k IPv6 /64s, none adjacent so nothing merges) looked up for hits and misses,
/// and the signature check of a valid acl-signed segment URL.
/// </summary>
[MemoryDiagnoser]
public class AccessBenchmarks
{
    private const int Count = 100_000;

    private CidrSet _set = null!;
    private IPAddress _v4Hit = null!, _v4Miss = null!, _v6Hit = null!, _v6Miss = null!, _mappedHit = null!;
    private AccessSnapshot _snapshot = null!;
    private string _signedTarget = null!;
    private IPAddress _client = null!;
    private long _nowMs;
    private byte[] _key = null!;
    private string[] _firstSeen = null!;
    private int _next;

    [GlobalSetup]
    public void Setup()
    {
        var cidrs = new List<Cidr>(Count);
        for (var i = 0; i < Count / 2; i++)
        {
            var n = i * 2; // every other address: no two entries are adjacent
            cidrs.Add(Parse($"10.{(n >> 16) & 255}.{(n >> 8) & 255}.{n & 255}/32"));
            cidrs.Add(Parse($"2001:db8:{n >> 16:x}:{n & 0xffff:x}::/64"));
        }
        _set = CidrSet.Create(cidrs);
        if (_set.RangeCount != Count)
        {
            throw new InvalidOperationException($"expected {Count} ranges, got {_set.RangeCount}");
        }
        _v4Hit = IPAddress.Parse("10.0.195.80");      // n = 50000
        _v4Miss = IPAddress.Parse("10.0.195.81");     // the gap after it
        _v6Hit = IPAddress.Parse("2001:db8:0:c350::1"); // n = 50000 (0xc350)
        _v6Miss = IPAddress.Parse("2001:db8:0:c351::1");
        _mappedHit = IPAddress.Parse("::ffff:10.0.195.80");
        Check(_set.Contains(_v4Hit) && !_set.Contains(_v4Miss) && _set.Contains(_v6Hit) && !_set.Contains(_v6Miss) && _set.Contains(_mappedHit), "lookup setup");

        var key = _key = Enumerable.Range(1, 32).Select(i => (byte)i).ToArray();
        var options = new AccessOptions();
        options.Signing.Required = true;
        options.Signing.Keys["k1"] = Convert.ToBase64String(key);
        _snapshot = new AccessSnapshot(options);
        const string path = "/hls/news/live/720p/seg-1000.ts";
        var exp = DateTimeOffset.UtcNow.ToUnixTimeSeconds() + 3600;
        _signedTarget = path + "?" + UrlSignature.BuildQuery(key, "k1", exp, path, "/hls/news/live/", null);
        _client = IPAddress.Parse("203.0.113.7");
        _nowMs = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        Check(ValidateSignedSegment(), "signature setup");

        // 8,192 distinct tokens cycled through the 4,096-slot verified-signature cache: every check is a first sight (full HMAC)
        _firstSeen = Enumerable.Range(0, 8192).Select(i => path + "?" + UrlSignature.BuildQuery(key, "k1", exp + i, path, "/hls/news/live/", null)).ToArray();
    }

    [Benchmark]
    public bool AllowlistHitV4() => _set.Contains(_v4Hit);

    [Benchmark]
    public bool AllowlistMissV4() => _set.Contains(_v4Miss);

    [Benchmark]
    public bool AllowlistHitV6() => _set.Contains(_v6Hit);

    [Benchmark]
    public bool AllowlistMissV6() => _set.Contains(_v6Miss);

    [Benchmark]
    public bool AllowlistHitMappedV4() => _set.Contains(_mappedHit);

    /// <summary>The hot path: a token seen before (a player's next segment under the shared acl signature).</summary>
    [Benchmark]
    public bool ValidateSignedSegment() =>
        SignatureValidator.Validate(_signedTarget, _client, _nowMs, _snapshot, capture: false, out _) == SignatureStatus.Valid;

    /// <summary>A token not seen before (or evicted): parse, HMAC, constant-time compare, then remembered.</summary>
    [Benchmark]
    public bool ValidateFirstSeenToken()
    {
        var target = _firstSeen[_next++ & 8191];
        return SignatureValidator.Validate(target, _client, _nowMs, _snapshot, capture: false, out _) == SignatureStatus.Valid;
    }

    /// <summary>The HMAC alone, as the validator computes it (per-thread keyed state), over a typical string to sign.</summary>
    [Benchmark]
    public byte MacOnly()
    {
        Span<byte> mac = stackalloc byte[UrlSignature.MacBytes];
        UrlSignature.ComputeMac(_key, "/hls/news/live/", "1795641741", "k1", default, mac);
        return mac[0];
    }

    /// <summary>The one-shot HMACSHA256.HashData (a fresh OpenSSL context per call) for comparison.</summary>
    [Benchmark]
    public byte MacOneShot()
    {
        Span<byte> mac = stackalloc byte[UrlSignature.MacBytes];
        System.Security.Cryptography.HMACSHA256.HashData(_key, "/hls/news/live/\n1795641741\nk1\n"u8, mac);
        return mac[0];
    }

    private static Cidr Parse(string text) => Cidr.TryParse(text, out var c, out var error) ? c : throw new InvalidOperationException(error);

    private static void Check(bool ok, string what)
    {
        if (!ok)
        {
            throw new InvalidOperationException(what + " is wrong");
        }
    }
}
