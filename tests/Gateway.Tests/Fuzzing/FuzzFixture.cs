using HlsGateway.Access;
using HlsGateway.Configuration;
using HlsGateway.Monitor.Metrics;
using HlsGateway.Playlists;
using HlsGateway.Proxy;
using HlsGateway.Tests.Access;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging.Abstractions;

namespace HlsGateway.Tests.Fuzzing;

/// <summary>
/// The real parts the fuzz tests drive: an origin registry with two origins ("news" with a base path, "other"
/// on another scheme, host and port) and an access snapshot with three signing keys. Shared read-only across
/// CsCheck's threads; everything mutable (rewrite contexts) is made per input.
/// </summary>
internal static class FuzzFixture
{
    public static readonly string[] Kids = ["k1", "key.2024-01_b", new string('z', 64)];

    public static readonly OriginRegistry Registry = CreateRegistry();

    public static readonly Origin News = Get("news");

    public static readonly Origin Other = Get("other");

    public static readonly AccessSnapshot Snapshot = CreateSnapshot();

    public static byte[] Key(string kid) => Snapshot.TryGetKey(kid, out var key) ? key : throw new InvalidOperationException(kid);

    public static HlsRequest PlaylistRequest(string path) => new(News, path, string.Empty, RouteKind.MediaPlaylist, "news/" + path);

    public static PlaylistRewriteContext Context(string path, SignedRequest? signed) =>
        new(PlaylistRequest(path), Registry.All, signed, signed is null ? null : Key(signed.Kid));

    private static OriginRegistry CreateRegistry()
    {
        var config = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Gateway:Origins:news"] = PlaylistGen.NewsBase + "/",
            ["Gateway:Origins:other"] = PlaylistGen.OtherBase,
            // the rewrite round trip is about URIs: every child query reaches the origin (the forward list has its own tests)
            ["Gateway:OriginSettings:news:ForwardQuery:0"] = "*",
            ["Gateway:OriginSettings:other:ForwardQuery:0"] = "*",
        }).Build();
        return new OriginRegistry(new GatewayConfigMonitor(config, NullLogger<GatewayConfigMonitor>.Instance), NullLogger<OriginRegistry>.Instance);
    }

    private static Origin Get(string name) => Registry.TryGet(name, out var origin) ? origin : throw new InvalidOperationException(name);

    private static AccessSnapshot CreateSnapshot()
    {
        var options = new AccessOptions();
        options.Signing.Keys[Kids[0]] = SigningTestVectors.KeyBase64;
        options.Signing.Keys[Kids[1]] = Convert.ToBase64String(Enumerable.Range(100, 32).Select(i => (byte)i).ToArray());
        options.Signing.Keys[Kids[2]] = Convert.ToBase64String(Enumerable.Range(200, 48).Select(i => (byte)i).ToArray());
        return new AccessSnapshot(options);
    }
}
