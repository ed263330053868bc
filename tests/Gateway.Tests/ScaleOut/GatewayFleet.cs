using HlsGateway.Tests.Common;

namespace HlsGateway.Tests.ScaleOut;

/// <summary>
/// N real gateway instances (in-process, each on its own Kestrel loopback port) sharing one real
/// redis-server and one JSON configuration file, behind a real nginx round-robin balancer.
/// </summary>
internal sealed class GatewayFleet : IAsyncDisposable
{
    public const string AdminToken = "scale-out-admin-token-0123456789";

    private GatewayFleet(RedisServer redis, TestOrigin origin, SharedConfigFile config, GatewayHost?[] instances, NginxBalancer nginx)
    {
        Redis = redis;
        Origin = origin;
        Config = config;
        Instances = instances;
        Nginx = nginx;
        Client = new HttpClient(new SocketsHttpHandler { UseCookies = false, AllowAutoRedirect = false, MaxConnectionsPerServer = 1024 })
        {
            BaseAddress = new Uri(nginx.BaseUrl),
            Timeout = TimeSpan.FromSeconds(30),
        };
    }

    public RedisServer Redis { get; }

    public TestOrigin Origin { get; }

    public SharedConfigFile Config { get; }

    /// <summary>The instances; null once stopped.</summary>
    public GatewayHost?[] Instances { get; }

    public NginxBalancer Nginx { get; }

    /// <summary>Talks to nginx (the balancer), as players would.</summary>
    public HttpClient Client { get; }

    public IEnumerable<GatewayHost> Running => Instances.Where(i => i is not null)!;

    /// <param name="configJson">The shared JSON file; gets <c>{origin}</c> replaced by the test origin's base URL.</param>
    public static async Task<GatewayFleet> StartAsync(int count, string configJson, IDictionary<string, string?>? extra = null)
    {
        var redis = await RedisServer.StartAsync();
        var origin = await TestOrigin.StartAsync();
        var config = new SharedConfigFile(configJson.Replace("{origin}", origin.BaseUrl, StringComparison.Ordinal));
        var settings = new Dictionary<string, string?>
        {
            ["Gateway:Redis"] = redis.ConnectionString,
            ["Gateway:Admin:Token"] = AdminToken,
        };
        foreach (var (k, v) in extra ?? new Dictionary<string, string?>())
        {
            settings[k] = v;
        }
        var instances = new GatewayHost?[count];
        for (var i = 0; i < count; i++)
        {
            instances[i] = await GatewayHost.StartAsync(settings, config.AddTo);
        }
        var nginx = await NginxBalancer.StartAsync(instances.Select(g => new Uri(g!.BaseUrl).Port));
        return new GatewayFleet(redis, origin, config, instances, nginx);
    }

    public static string Upstream(GatewayHost gw) => new Uri(gw.BaseUrl).Authority;

    public async Task StopInstanceAsync(int index)
    {
        var gw = Instances[index];
        Instances[index] = null;
        if (gw is not null)
        {
            await gw.DisposeAsync();
        }
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await Nginx.DisposeAsync();
        foreach (var gw in Running.ToArray())
        {
            await gw.DisposeAsync();
        }
        await Origin.DisposeAsync();
        await Redis.DisposeAsync();
        Config.Dispose();
    }
}
