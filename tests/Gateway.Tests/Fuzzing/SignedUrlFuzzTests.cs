using System.Net;
using System.Text;
using CsCheck;
using HlsGateway.Access;
using HlsGateway.Proxy;

namespace HlsGateway.Tests.Fuzzing;

/// <summary>
/// Fuzzes the signed-URL parser and validator (<see cref="SignatureValidator"/>): random targets, mutated signed
/// query strings (duplicates, percent-encoding, huge exp, bad base64, path tricks) and the signer/validator
/// round trip. Together the three tests take <see cref="FuzzBudget.PerFamily"/> inputs (default 1,000,000).
/// </summary>
public sealed class SignedUrlFuzzTests
{
    private const string TargetChars = "/?&=%;#+ .-_~:@!$'()*,abcdefABCDEFxyz0123456789hlsnewexpkidaclipsig\\\t\r\n\u00e9\u0000";

    private static readonly Gen<string> RandomTarget = Gen.Frequency(
        (3, PlaylistGen.Str(TargetChars, 0, 300)),
        (2, Gen.Select(Gen.OneOf("/hls/news/a.ts?", "/hls/news/live/index.m3u8?", "?", "/?", "", "/hls/news/a.ts"),
            Gen.OneOf("exp=", "kid=", "acl=", "ip=", "sig=", "&", "=", "%", "%2F", "%2e", "k1", "1700000000", "/hls/", "/", "XzYMBHTa0jWgTox4q4KjYBT5rZszjWH0DFMcQdvURG4",
                "203.0.113.7", "::1", "::ffff:1.2.3.4", "fe80::1%25eth0", "99999999999999", "-", "_", "+", "\u00e9", "%C3%A9", "..", "%00").Array[0, 40],
            (head, parts) => head + string.Concat(parts))),
        (1, Gen.Byte.Array[0, 3000].Select(b => Encoding.Latin1.GetString(b))),
        (1, Gen.String));

    private static readonly Gen<(IPAddress?, long)> ClientAndNow = Gen.Select(
        Gen.OneOf<IPAddress?>(null, IPAddress.Loopback, IPAddress.IPv6Loopback, IPAddress.Parse("203.0.113.7"), IPAddress.Parse("::ffff:203.0.113.7")),
        Gen.Long[0, 1_000_000_000_000_000]);

    [Fact]
    public void Random_targets_never_throw()
    {
        Gen.Select(RandomTarget, ClientAndNow).Sample((target, cn) =>
        {
            _ = SignatureValidator.HasSignatureParams(target);
            var status = SignatureValidator.Validate(target, cn.Item1, cn.Item2, FuzzFixture.Snapshot, capture: true, out var signed);
            Assert.True(Enum.IsDefined(status));
            Assert.Equal(status == SignatureStatus.Valid, signed is not null);
        }, iter: FuzzBudget.Share(0.3));
    }

    [Fact]
    public void Mutated_signed_queries_never_throw_and_validate_only_with_the_signed_values()
    {
        SignedUrlGen.Mutated.Sample((url, target) =>
        {
            _ = SignatureValidator.HasSignatureParams(target);
            var status = SignatureValidator.Validate(target, url.Client, url.Exp * 1000 - 1, FuzzFixture.Snapshot, capture: true, out var signed);
            if (status != SignatureStatus.Valid)
            {
                return;
            }
            // whatever the mutation did (reordering, re-encoding, adding unrelated parameters), a URL that still
            // validates carries exactly what was signed, and its path is the signed one or lies below the signed acl
            Assert.NotNull(signed);
            Assert.Equal(url.ExpText, signed.ExpText);
            Assert.Equal(url.Kid, signed.Kid);
            // the acl is kept as sent; a re-encoding of unreserved characters (%6a for j) is the same acl (RFC 3986 6.2.2.2)
            Assert.Equal(Canonical(url.Acl), Canonical(signed.Acl));
            Assert.Equal(url.Ip, signed.Ip);
            var path = UriNormalization.Normalize(target.AsSpan(0, target.IndexOf('?')));
            Assert.True(url.Acl is null ? path == Canonical(url.Path) : path.StartsWith(Canonical(url.Acl)!, StringComparison.Ordinal));
        }, iter: FuzzBudget.Share(0.4), print: t => $"{t.Item1} -> {t.Item2}");
    }

    [Fact]
    public void A_signed_url_validates_and_fails_when_any_signed_field_changes()
    {
        Gen.Select(SignedUrlGen.Valid, Gen.Enum<SignedUrlGen.Field>(), Gen.Int[0, 1000], Gen.Long[0, 60_000]).Sample((url, field, arg, early) =>
        {
            var now = url.Exp * 1000 - early; // any time before expiry
            var status = SignatureValidator.Validate(url.Target, url.Client, now, FuzzFixture.Snapshot, capture: true, out var signed);
            Assert.Equal(SignatureStatus.Valid, status);
            Assert.Equal(new SignedRequest(url.Exp, url.ExpText, url.Kid, url.Acl, url.Ip), signed);

            // after expiry (+ the 30 s clock skew) it is refused as expired
            Assert.Equal(SignatureStatus.Expired, SignatureValidator.Validate(url.Target, url.Client, url.Exp * 1000 + 30_000, FuzzFixture.Snapshot, false, out _));

            var mutated = SignedUrlGen.MutateField(url, field, arg);
            var after = SignatureValidator.Validate(mutated, url.Client, now, FuzzFixture.Snapshot, capture: false, out _);
            if (after == SignatureStatus.Valid)
            {
                Assert.Fail($"{field} changed but still valid: {mutated}");
            }
        }, iter: FuzzBudget.Share(0.3), print: t => $"{t.Item1} field={t.Item2} arg={t.Item3}");
    }

    private static string? Canonical(string? path) => path is null ? null : UriNormalization.Normalize(path);
}
