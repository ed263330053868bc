using System.Net;
using HlsGateway.Access;

namespace HlsGateway.Tests.Access;

/// <summary>A remembered signature must never let other inputs, another key or an expired token through.</summary>
public sealed class VerifiedSignatureCacheTests
{
    private const long Exp = SigningTestVectors.Exp;

    private static AccessSnapshot Snapshot(string keyBase64)
    {
        var options = new AccessOptions();
        options.Signing.ClockSkew = TimeSpan.Zero;
        options.Signing.Keys["k1"] = keyBase64;
        return new AccessSnapshot(options);
    }

    private static SignatureStatus Check(string target, AccessSnapshot snapshot, long nowSeconds = Exp - 10, string client = "127.0.0.1") =>
        SignatureValidator.Validate(target, IPAddress.Parse(client), nowSeconds * 1000, snapshot, capture: false, out _);

    [Fact]
    public void A_verified_signature_is_reused_only_for_the_same_inputs()
    {
        var snapshot = Snapshot(SigningTestVectors.KeyBase64);
        var query = UrlSignature.BuildQuery(SigningTestVectors.Key, "k1", Exp, "/hls/news/live/a.ts", "/hls/news/live/", "198.51.100.9");
        var target = "/hls/news/live/a.ts?" + query;
        Assert.Equal(SignatureStatus.Valid, Check(target, snapshot, client: "198.51.100.9"));
        Assert.Equal(SignatureStatus.Valid, Check(target, snapshot, client: "198.51.100.9")); // from the cache
        Assert.Equal(SignatureStatus.Valid, Check("/hls/news/live/b.ts?" + query, snapshot, client: "198.51.100.9")); // same acl token, another child

        // the same sig with any other signed input is still refused
        Assert.Equal(SignatureStatus.BadSignature, Check(target.Replace($"exp={Exp}", $"exp={Exp + 1}"), snapshot, client: "198.51.100.9"));
        Assert.Equal(SignatureStatus.BadSignature, Check(target.Replace("ip=198.51.100.9", "ip=198.51.100.10"), snapshot, client: "198.51.100.10"));
        var widerAcl = target.Replace("acl=" + UrlSignature.EscapeValue("/hls/news/live/"), "acl=" + UrlSignature.EscapeValue("/hls/news/"));
        Assert.NotEqual(target, widerAcl);
        Assert.Equal(SignatureStatus.BadSignature, Check(widerAcl, snapshot, client: "198.51.100.9"));
        // expiry and ip binding are checked on every request, cached or not
        Assert.Equal(SignatureStatus.Expired, Check(target, snapshot, nowSeconds: Exp + 1, client: "198.51.100.9"));
        Assert.Equal(SignatureStatus.IpMismatch, Check(target, snapshot, client: "198.51.100.10"));
        Assert.Equal(SignatureStatus.OutsideScope, Check("/hls/news/other/a.ts?" + query, snapshot, client: "198.51.100.9"));
    }

    [Fact]
    public void A_rotated_key_under_the_same_kid_invalidates_remembered_signatures()
    {
        var target = "/hls/news/live/a.ts?" + UrlSignature.BuildQuery(SigningTestVectors.Key, "k1", Exp, "/hls/news/live/a.ts", null, null);
        Assert.Equal(SignatureStatus.Valid, Check(target, Snapshot(SigningTestVectors.KeyBase64)));
        var other = Convert.ToBase64String(Enumerable.Range(1, 32).Select(i => (byte)(i * 7)).ToArray());
        Assert.Equal(SignatureStatus.BadSignature, Check(target, Snapshot(other)));
    }
}
