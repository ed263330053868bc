namespace HlsGateway.Demo;

internal static class DemoOriginExtensions
{
    /// <summary>The built-in demo origin; it starts only when <c>OriginRegistry.DemoEnabled</c>.</summary>
    public static IServiceCollection AddDemoOrigin(this IServiceCollection services)
    {
        services.AddSingleton<DemoOriginService>();
        services.AddHostedService(sp => sp.GetRequiredService<DemoOriginService>());
        return services;
    }
}
