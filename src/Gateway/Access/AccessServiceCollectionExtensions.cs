using System.Net;
using HlsGateway.Configuration;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.Extensions.DependencyInjection.Extensions;
using StackExchange.Redis;

namespace HlsGateway.Access;

internal static class AccessServiceCollectionExtensions
{
    /// <summary>Allowlist, trusted proxies, signing and rate limits. Redis replaces the memory allowlist store when <c>Gateway:Redis</c> is set.</summary>
    public static IServiceCollection AddGatewayAccess(this IServiceCollection services, IConfiguration configuration)
    {
        services.TryAddSingleton<AccessConfigMonitor>();
        if (!string.IsNullOrWhiteSpace(configuration[$"{GatewayOptions.SectionName}:Redis"]))
        {
            services.TryAddSingleton<IAllowlistStore>(sp => new RedisAllowlistStore(
                sp.GetRequiredService<IConnectionMultiplexer>(), sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILogger<RedisAllowlistStore>>()));
        }
        if (!string.IsNullOrWhiteSpace(configuration[$"{GatewayOptions.SectionName}:Redis"]) &&
            configuration.GetValue<bool>($"{GatewayOptions.SectionName}:RateLimits:Shared"))
        {
            services.TryAddSingleton<RedisRateLimitStore>();
        }
        services.TryAddSingleton<IAllowlistStore, MemoryAllowlistStore>();
        services.TryAddSingleton<Allowlist>();
        services.TryAddSingleton<ClientRateLimiter>();
        services.AddHostedService<AllowlistStartup>();

        // Trusted proxies: X-Forwarded-For is believed only from these peers; the defaults (loopback) are cleared,
        // and no ForwardLimit, so the right-most address not in the list becomes the client.
        services.AddOptions<ForwardedHeadersOptions>().Configure<AccessConfigMonitor>((o, access) =>
        {
            o.ForwardedHeaders = ForwardedHeaders.XForwardedFor;
            o.ForwardLimit = null;
            o.KnownProxies.Clear();
            o.KnownIPNetworks.Clear();
            foreach (var cidr in access.Current.TrustedProxies)
            {
                o.KnownIPNetworks.Add(ToNetwork(cidr));
            }
        });
        return services;
    }

    /// <summary>True when ForwardedHeaders belongs in the pipeline (there is at least one trusted proxy).</summary>
    public static bool HasTrustedProxies(this IServiceProvider services) =>
        services.GetRequiredService<AccessConfigMonitor>().Current.TrustedProxies.Count > 0;

    private static System.Net.IPNetwork ToNetwork(Cidr cidr)
    {
        Span<byte> bytes = stackalloc byte[16];
        System.Buffers.Binary.BinaryPrimitives.WriteUInt128BigEndian(bytes, cidr.First);
        var address = cidr.IsV4 ? new IPAddress(bytes[12..]) : new IPAddress(bytes);
        return new System.Net.IPNetwork(address, cidr.PrefixLength);
    }
}
