namespace HlsGateway.Demo;

internal static class DemoOriginExtensions
{
    public static IServiceCollection AddDemoOrigin(this IServiceCollection services)
    {
        services.AddHostedService<DemoOriginService>();
        return services;
    }
}
