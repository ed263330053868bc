#:sdk Microsoft.NET.Sdk.Web
// The ceiling for the gateway on this machine: bare Kestrel (no middleware, no routing, no logging) answering
// every request with one file held in memory, written the way the gateway writes a cache hit.
// Run: dotnet run -c Release benchmarks/kestrel-ceiling/ceiling.cs -- <file> <port>
// Knobs to try (env): CEILING_INLINE=1 (SocketTransportOptions.UnsafePreferInlineScheduling),
// CEILING_BUFFER=<bytes> (Kestrel MaxResponseBufferSize; 0 = unlimited).
var body = File.ReadAllBytes(args[0]);
var builder = WebApplication.CreateSlimBuilder();
builder.Logging.ClearProviders();
var inline = Environment.GetEnvironmentVariable("CEILING_INLINE") == "1";
var buffer = long.TryParse(Environment.GetEnvironmentVariable("CEILING_BUFFER"), out var b) ? b : -1;
builder.WebHost.UseSockets(o => o.UnsafePreferInlineScheduling = inline);
builder.WebHost.ConfigureKestrel(k =>
{
    k.AddServerHeader = false;
    k.ListenLocalhost(int.Parse(args[1]));
    if (buffer >= 0)
    {
        k.Limits.MaxResponseBufferSize = buffer == 0 ? null : buffer;
    }
});
var app = builder.Build();
app.Run(async ctx =>
{
    ctx.Response.ContentType = "video/mp2t";
    ctx.Response.ContentLength = body.Length;
    if (body.Length <= 16 * 1024)
    {
        await ctx.Response.Body.WriteAsync(body);
        return;
    }
    await ctx.Response.StartAsync();
    ReadOnlyMemory<byte> rest = body;
    while (!rest.IsEmpty)
    {
        var memory = ctx.Response.BodyWriter.GetMemory(Math.Min(rest.Length, 128 * 1024));
        var n = Math.Min(rest.Length, memory.Length);
        rest.Span[..n].CopyTo(memory.Span);
        ctx.Response.BodyWriter.Advance(n);
        rest = rest[n..];
        await ctx.Response.BodyWriter.FlushAsync();
    }
});
app.Run();
