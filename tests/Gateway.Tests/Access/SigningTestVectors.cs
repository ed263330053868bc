namespace HlsGateway.Tests.Access;

/// <summary>The published test vectors (docs/signing.md). Expected sigs were computed independently with openssl.</summary>
internal static class SigningTestVectors
{
    /// <summary>Bytes 0x00..0x1f.</summary>
    public const string KeyBase64 = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";

    public const string Kid = "k1";

    public const long Exp = 1700000000;

    public static readonly (string Scope, string Exp, string Kid, string Ip, string Sig)[] Vectors =
    [
        ("/hls/news/live/index.m3u8", "1700000000", "k1", "", "XzYMBHTa0jWgTox4q4KjYBT5rZszjWH0DFMcQdvURG4"),
        ("/hls/news/live/", "1700000000", "k1", "", "aWjjVp48ONAAz61JtbrwP-524gkQc5Y4qKv32SPoaYU"),
        ("/hls/news/", "1700000000", "k1", "203.0.113.7", "3HkoeHA0CzIwnVRotAwJBuQjhMaX7AakO6fMh9FCLuA"),
        ("/hls/news/live/index.m3u8", "1700000000", "k1", "2001:db8::1", "cr8RyBuWUibj6ZXLdDOdDJWbVpU7wV9rVB4m6vc_GRQ"),
    ];

    public static byte[] Key => Convert.FromBase64String(KeyBase64);
}
