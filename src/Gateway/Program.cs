using HlsGateway;
using HlsGateway.Proxy;
using Microsoft.Extensions.Options;

// `Gateway sign <path> ...` prints a signed URL and exits, without starting the server.
if (args.Length > 0 && args[0] == "sign")
{
    return HlsGateway.Access.SignCommand.Run(args[1..], Console.Out, Console.Error, TimeProvider.System);
}

WebApplication app;
try
{
    app = GatewayApp.Build(args);
}
catch (OptionsValidationException ex)
{
    Console.Error.WriteLine("Configuration error; the gateway did not start:");
    foreach (var failure in ex.Failures)
    {
        Console.Error.WriteLine("  " + failure);
    }
    return 2;
}

await app.StartAsync();
var baseUrl = app.BaseAddress();
var origins = app.Services.GetRequiredService<OriginRegistry>();
Console.WriteLine($"HLS gateway listening on {baseUrl}");
foreach (var origin in origins.All.OrderBy(o => o.Name))
{
    Console.WriteLine($"  origin {origin.Name,-12} {origin.BaseUrl}");
}
if (origins.DemoEnabled)
{
    Console.WriteLine($"  Stream (live):   {baseUrl}/hls/demo/live.m3u8");
    Console.WriteLine($"  Stream (master): {baseUrl}/hls/demo/master.m3u8");
    Console.WriteLine($"  Stream (VOD):    {baseUrl}/hls/demo/vod.m3u8");
}
Console.WriteLine($"  Monitor:         {baseUrl}/monitor");
Console.WriteLine($"  Metrics:         {baseUrl}/metrics   Health: {baseUrl}/health   Stats: {baseUrl}/stats");
await app.WaitForShutdownAsync();
return 0;
