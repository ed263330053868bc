using System.Net;
using HlsGateway.Access;

namespace HlsGateway.Tests.Access;

/// <summary>
/// The verified-signature cache is process-wide and direct-mapped: a test running alongside (the fuzzers sign
/// thousands of URLs) can evict this test's slot between two calls, and the next call then pays a real HMAC and a new
/// entry. So the allocation check runs on its own, after the parallel tests.
/// </summary>
[CollectionDefinition(nameof(VerifiedSignatureCacheAlone), DisableParallelization = true)]
public sealed class VerifiedSignatureCacheAlone;

[Collection(nameof(VerifiedSignatureCacheAlone))]
public sealed class SignatureValidatorAllocationTests
{
    [Fact]
    public void Safe_path_check_does_not_allocate()
    {
        for (var i = 0; i < 100; i++)
        {
            Assert.True(HlsGateway.Proxy.HlsPathParser.IsSafePath("hls/news/live/v1/seg1.ts"));
        }
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 1000; i++)
        {
            HlsGateway.Proxy.HlsPathParser.IsSafePath("hls/news/live/v1/seg1.ts");
        }
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    [Fact]
    public void Validate_does_not_allocate()
    {
        var options = new AccessOptions();
        options.Signing.Keys["k1"] = SigningTestVectors.KeyBase64;
        var snapshot = new AccessSnapshot(options);
        const string path = "/hls/news/live/index.m3u8";
        var query = UrlSignature.BuildQuery(SigningTestVectors.Key, "k1", SigningTestVectors.Exp, path, "/hls/news/live/", "203.0.113.7");
        var target = "/hls/news/live/v1/seg1.ts?" + query;
        var client = IPAddress.Parse("203.0.113.7");
        var now = (SigningTestVectors.Exp - 1) * 1000;
        for (var i = 0; i < 100; i++)
        {
            Assert.Equal(SignatureStatus.Valid, SignatureValidator.Validate(target, client, now, snapshot, false, out _));
        }
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 1000; i++)
        {
            SignatureValidator.Validate(target, client, now, snapshot, false, out _);
        }
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }
}
