using System.Net;
using HlsGateway.Access;

namespace HlsGateway.Tests.Access;

public sealed class SignatureValidatorTests
{
    private const long Exp = SigningTestVectors.Exp;
    private const string Path = "/hls/news/live/index.m3u8";

    private static AccessSnapshot Snapshot(TimeSpan? skew = null, params (string Kid, string Key)[] keys)
    {
        var options = new AccessOptions();
        options.Signing.ClockSkew = skew ?? TimeSpan.FromSeconds(30);
        options.Signing.Keys["k1"] = SigningTestVectors.KeyBase64;
        foreach (var (kid, key) in keys)
        {
            options.Signing.Keys[kid] = key;
        }
        return new AccessSnapshot(options);
    }

    private static string Signed(string path, long exp = Exp, string? acl = null, string? ip = null, string kid = "k1") =>
        path + "?" + UrlSignature.BuildQuery(SigningTestVectors.Key, kid, exp, path, acl, ip);

    private static long Ms(long unixSeconds) => unixSeconds * 1000;

    private static SignatureStatus Check(string target, long nowMs, IPAddress? client = null, TimeSpan? skew = null) =>
        SignatureValidator.Validate(target, client ?? IPAddress.Loopback, nowMs, Snapshot(skew), capture: false, out _);

    public static TheoryData<string, string, long, string?, string> Table()
    {
        var before = Ms(Exp - 10);
        var data = new TheoryData<string, string, long, string?, string>
        {
            { "valid exact path", Signed(Path), before, null, nameof(SignatureStatus.Valid) },
            { "valid published vector", Path + "?exp=1700000000&kid=k1&sig=XzYMBHTa0jWgTox4q4KjYBT5rZszjWH0DFMcQdvURG4", before, null, nameof(SignatureStatus.Valid) },
            { "valid acl child", "/hls/news/live/v1/seg1.ts" + Signed(Path, acl: "/hls/news/live/")[Path.Length..], before, null, nameof(SignatureStatus.Valid) },
            { "acl percent-encoded in query", "/hls/news/live/a.ts?exp=1700000000&kid=k1&acl=%2Fhls%2Fnews%2Flive%2F&sig=aWjjVp48ONAAz61JtbrwP-524gkQc5Y4qKv32SPoaYU", before, null, nameof(SignatureStatus.Valid) },
            { "params in any order, other params kept", "/hls/news/live/a.ts?token=x&sig=aWjjVp48ONAAz61JtbrwP-524gkQc5Y4qKv32SPoaYU&acl=/hls/news/live/&kid=k1&exp=1700000000", before, null, nameof(SignatureStatus.Valid) },
            { "expired by 1 s (skew 0 below)", Signed(Path), Ms(Exp + 1), null, nameof(SignatureStatus.Valid) }, // inside default 30 s skew
            { "skew inside", Signed(Path), Ms(Exp + 29), null, nameof(SignatureStatus.Valid) },
            { "skew outside", Signed(Path), Ms(Exp + 30), null, nameof(SignatureStatus.Expired) },
            { "tampered exp", Signed(Path).Replace("exp=1700000000", "exp=1700000600"), before, null, nameof(SignatureStatus.BadSignature) },
            { "tampered path", "/hls/news/live/other.m3u8" + Signed(Path)[Path.Length..], before, null, nameof(SignatureStatus.BadSignature) },
            { "tampered acl", "/hls/news/x.ts" + Signed(Path, acl: "/hls/news/live/")[Path.Length..].Replace("acl=/hls/news/live/", "acl=/hls/news/"), before, null, nameof(SignatureStatus.BadSignature) },
            { "tampered sig", Signed(Path)[..^2] + "AA", before, null, nameof(SignatureStatus.BadSignature) },
            { "path outside acl", "/hls/news/vod/a.ts" + Signed(Path, acl: "/hls/news/live/")[Path.Length..], before, null, nameof(SignatureStatus.OutsideScope) },
            { "acl on another origin", "/hls/sport/live/a.ts" + Signed(Path, acl: "/hls/news/live/")[Path.Length..], before, null, nameof(SignatureStatus.OutsideScope) },
            { "unknown kid", Path + "?exp=1700000000&kid=k9&sig=XzYMBHTa0jWgTox4q4KjYBT5rZszjWH0DFMcQdvURG4", before, null, nameof(SignatureStatus.UnknownKey) },
            { "ip match", Signed(Path, ip: "203.0.113.7"), before, "203.0.113.7", nameof(SignatureStatus.Valid) },
            { "ip mismatch", Signed(Path, ip: "203.0.113.7"), before, "203.0.113.8", nameof(SignatureStatus.IpMismatch) },
            { "ipv6 match (other spelling)", Signed(Path, ip: "2001:db8::1"), before, "2001:0db8:0:0::1", nameof(SignatureStatus.Valid) },
            { "ipv6 mismatch", Signed(Path, ip: "2001:db8::1"), before, "2001:db8::2", nameof(SignatureStatus.IpMismatch) },
            { "mapped ipv6 client, ipv4 binding", Signed(Path, ip: "203.0.113.7"), before, "::ffff:203.0.113.7", nameof(SignatureStatus.Valid) },
            { "ipv4 client, mapped binding", Signed(Path, ip: "::ffff:203.0.113.7"), before, "203.0.113.7", nameof(SignatureStatus.Valid) },
            { "no query", Path, before, null, nameof(SignatureStatus.Missing) },
            { "unrelated query only", Path + "?token=abc", before, null, nameof(SignatureStatus.Missing) },
            { "duplicate sig", Signed(Path) + "&sig=XzYMBHTa0jWgTox4q4KjYBT5rZszjWH0DFMcQdvURG4", before, null, nameof(SignatureStatus.Malformed) },
            { "duplicate exp", Signed(Path) + "&exp=1700000000", before, null, nameof(SignatureStatus.Malformed) },
            { "non-numeric exp", Path + "?exp=soon&kid=k1&sig=XzYMBHTa0jWgTox4q4KjYBT5rZszjWH0DFMcQdvURG4", before, null, nameof(SignatureStatus.Malformed) },
            { "negative exp", Path + "?exp=-1&kid=k1&sig=XzYMBHTa0jWgTox4q4KjYBT5rZszjWH0DFMcQdvURG4", before, null, nameof(SignatureStatus.Malformed) },
            { "huge exp", Path + "?exp=99999999999999999999999&kid=k1&sig=XzYMBHTa0jWgTox4q4KjYBT5rZszjWH0DFMcQdvURG4", before, null, nameof(SignatureStatus.Malformed) },
            { "missing kid", Path + "?exp=1700000000&sig=XzYMBHTa0jWgTox4q4KjYBT5rZszjWH0DFMcQdvURG4", before, null, nameof(SignatureStatus.Malformed) },
            { "missing sig", Path + "?exp=1700000000&kid=k1", before, null, nameof(SignatureStatus.Malformed) },
            { "short sig", Path + "?exp=1700000000&kid=k1&sig=XzYM", before, null, nameof(SignatureStatus.Malformed) },
            { "huge sig", Path + "?exp=1700000000&kid=k1&sig=" + new string('A', 20000), before, null, nameof(SignatureStatus.Malformed) },
            { "sig not base64url", Path + "?exp=1700000000&kid=k1&sig=XzYMBHTa0jWgTox4q4KjYBT5rZszjWH0DFMcQdvURG+", before, null, nameof(SignatureStatus.Malformed) },
            { "sig with non-alphabet chars", Path + "?exp=1700000000&kid=k1&sig=XzYMBHTa0jWgTox4q4KjYBT5rZszjWH0DFMcQdvUR!.", before, null, nameof(SignatureStatus.Malformed) },
            { "kid with bad chars", Path + "?exp=1700000000&kid=k%201&sig=XzYMBHTa0jWgTox4q4KjYBT5rZszjWH0DFMcQdvURG4", before, null, nameof(SignatureStatus.Malformed) },
            { "acl without trailing slash", Path + "?exp=1700000000&kid=k1&acl=/hls/news&sig=XzYMBHTa0jWgTox4q4KjYBT5rZszjWH0DFMcQdvURG4", before, null, nameof(SignatureStatus.Malformed) },
            { "bad percent escape", Path + "?exp=1700000000&kid=k1&acl=%zz&sig=XzYMBHTa0jWgTox4q4KjYBT5rZszjWH0DFMcQdvURG4", before, null, nameof(SignatureStatus.Malformed) },
            { "non-ascii escape", Path + "?exp=1700000000&kid=k1&acl=/%C3%A9/&sig=XzYMBHTa0jWgTox4q4KjYBT5rZszjWH0DFMcQdvURG4", before, null, nameof(SignatureStatus.Malformed) },
            { "ip not an address", Signed(Path, ip: "not-an-ip"), before, null, nameof(SignatureStatus.Malformed) },
            { "dot-dot escaping acl", "/hls/news/live/../vod/a.ts" + Signed(Path, acl: "/hls/news/live/")[Path.Length..], before, null, nameof(SignatureStatus.UnsafePath) },
            { "encoded dot-dot", "/hls/news/live/%2e%2e/vod/a.ts" + Signed(Path, acl: "/hls/news/live/")[Path.Length..], before, null, nameof(SignatureStatus.UnsafePath) },
            { "encoded slash", "/hls/news/live/a%2Fb.ts" + Signed(Path, acl: "/hls/news/live/")[Path.Length..], before, null, nameof(SignatureStatus.UnsafePath) },
            { "double slash", "/hls/news/live//a.ts" + Signed(Path, acl: "/hls/news/live/")[Path.Length..], before, null, nameof(SignatureStatus.UnsafePath) },
        };
        return data;
    }

    [Theory]
    [MemberData(nameof(Table))]
    public void Signature_table(string name, string target, long nowMs, string? client, string expected)
    {
        _ = name;
        var status = Check(target, nowMs, client is null ? null : IPAddress.Parse(client));
        Assert.Equal(Enum.Parse<SignatureStatus>(expected), status);
    }

    [Fact]
    public void Expired_by_one_second_without_skew()
    {
        Assert.Equal(SignatureStatus.Valid, Check(Signed(Path), Ms(Exp) - 1, skew: TimeSpan.Zero));
        Assert.Equal(SignatureStatus.Expired, Check(Signed(Path), Ms(Exp), skew: TimeSpan.Zero));
        Assert.Equal(SignatureStatus.Expired, Check(Signed(Path), Ms(Exp + 1), skew: TimeSpan.Zero));
    }

    [Fact]
    public void Ip_binding_without_client_address_is_a_mismatch()
    {
        var status = SignatureValidator.Validate(Signed(Path, ip: "203.0.113.7"), null, Ms(Exp - 10), Snapshot(), capture: false, out _);
        Assert.Equal(SignatureStatus.IpMismatch, status);
    }

    [Fact]
    public void Second_key_validates_its_own_signatures_only()
    {
        var k2 = Convert.ToBase64String(Enumerable.Range(100, 32).Select(i => (byte)i).ToArray());
        var snapshot = Snapshot(null, ("k2", k2));
        var target = Path + "?" + UrlSignature.BuildQuery(Convert.FromBase64String(k2), "k2", Exp, Path, null, null);
        Assert.Equal(SignatureStatus.Valid, SignatureValidator.Validate(target, IPAddress.Loopback, Ms(Exp - 1), snapshot, false, out _));
        var forged = target.Replace("kid=k2", "kid=k1");
        Assert.Equal(SignatureStatus.BadSignature, SignatureValidator.Validate(forged, IPAddress.Loopback, Ms(Exp - 1), snapshot, false, out _));
    }

    [Fact]
    public void Capture_returns_the_parameters_for_the_rewriter()
    {
        var status = SignatureValidator.Validate(Signed(Path, acl: "/hls/news/", ip: "203.0.113.7"), IPAddress.Parse("203.0.113.7"), Ms(Exp - 1), Snapshot(), capture: true, out var signed);
        Assert.Equal(SignatureStatus.Valid, status);
        Assert.Equal(new SignedRequest(Exp, "1700000000", "k1", "/hls/news/", "203.0.113.7"), signed);
    }

    [Fact]
    public void Long_queries_use_pooled_buffers_and_still_validate()
    {
        var target = Signed(Path) + "&pad=" + new string('x', 6000);
        Assert.Equal(SignatureStatus.Valid, Check(target, Ms(Exp - 1)));
    }
}
