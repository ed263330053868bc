using HlsGateway.Access;

namespace HlsGateway.Tests.Access;

public sealed class UrlSignatureTests
{
    public static TheoryData<int> VectorIndexes() => new(Enumerable.Range(0, SigningTestVectors.Vectors.Length));

    [Theory]
    [MemberData(nameof(VectorIndexes))]
    public void Sign_matches_published_test_vectors(int index)
    {
        var v = SigningTestVectors.Vectors[index];
        Assert.Equal(v.Sig, UrlSignature.Sign(SigningTestVectors.Key, v.Scope, v.Exp, v.Kid, v.Ip));
    }

    [Fact]
    public void BuildQuery_for_exact_path_signs_the_path()
    {
        var query = UrlSignature.BuildQuery(SigningTestVectors.Key, "k1", 1700000000, "/hls/news/live/index.m3u8", acl: null, ip: null);
        Assert.Equal("exp=1700000000&kid=k1&sig=XzYMBHTa0jWgTox4q4KjYBT5rZszjWH0DFMcQdvURG4", query);
    }

    [Fact]
    public void BuildQuery_with_acl_and_ip_signs_the_acl_and_keeps_values_readable()
    {
        var query = UrlSignature.BuildQuery(SigningTestVectors.Key, "k1", 1700000000, "/hls/news/live/index.m3u8", acl: "/hls/news/", ip: "203.0.113.7");
        Assert.Equal("exp=1700000000&kid=k1&acl=/hls/news/&ip=203.0.113.7&sig=3HkoeHA0CzIwnVRotAwJBuQjhMaX7AakO6fMh9FCLuA", query);
    }

    [Fact]
    public void EscapeValue_encodes_query_delimiters_and_percent()
    {
        Assert.Equal("/hls/a%2520b/%26x%2B/", UrlSignature.EscapeValue("/hls/a%20b/&x+/"));
    }
}
