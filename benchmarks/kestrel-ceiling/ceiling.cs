#:sdk Microsoft.NET.Sdk.Web
// The ceiling for the gateway on this machine: bare Kestrel (no middleware, no routing, no logging) answering
// every request with one file held in memory, written the way the gateway writes a cache hit.
// Run: dotnet run -c Release benchmarks/kestrel-ceiling/ceiling.cs -- <file> <port>
// Knobs to try (env): CEILING_INLINE=1 (SocketTransportOptions.UnsafePreferInlineScheduling),
// CEILING_BUFFER=<bytes> (Kestrel MaxResponseBufferSize; 0 = unlimited),
// CEILING_TLS_CERT + CEILING_TLS_KEY=<PEM files> (HTTPS, h2 + HTTP/1.1 by ALPN, as the gateway's Gateway:Tls listener).
var body = File.ReadAllBytes(args[0]);
var builder = WebApplication.CreateSlimBuilder();
builder.Logging.ClearProviders();
var inline = Environment.GetEnvironmentVariable("CEILING_INLINE") == "1";
var buffer = long.TryParse(Environment.GetEnvironmentVariable("CEILING_BUFFER"), out var b) ? b : -1;
builder.WebHost.UseSockets(o => o.UnsafePreferInlineScheduling = inline);
// CEILING_POOL_BLOCK=<bytes>: Kestrel's connection memory pool hands out blocks of this size instead of 4 KB
if (int.TryParse(Environment.GetEnvironmentVariable("CEILING_POOL_BLOCK"), out var poolBlock) && poolBlock > 0)
{
    builder.Services.AddSingleton<Microsoft.AspNetCore.Connections.IMemoryPoolFactory<byte>>(new BigBlockPoolFactory(poolBlock));
}
builder.WebHost.ConfigureKestrel(k =>
{
    k.AddServerHeader = false;
    var cert = Environment.GetEnvironmentVariable("CEILING_TLS_CERT");
    var key = Environment.GetEnvironmentVariable("CEILING_TLS_KEY");
    k.ListenLocalhost(int.Parse(args[1]), listen =>
    {
        if (!string.IsNullOrEmpty(cert) && !string.IsNullOrEmpty(key))
        {
            listen.Protocols = Microsoft.AspNetCore.Server.Kestrel.Core.HttpProtocols.Http1AndHttp2;
            listen.UseHttps(System.Security.Cryptography.X509Certificates.X509Certificate2.CreateFromPemFile(cert, key));
            if (Environment.GetEnvironmentVariable("CEILING_COALESCE") == "1")
            {
                listen.Use(next => ctx => Coalescer.RunAsync(ctx, next));
            }
        }
    });
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

static class Coalescer
{
    public static async Task RunAsync(Microsoft.AspNetCore.Connections.ConnectionContext ctx, Microsoft.AspNetCore.Connections.ConnectionDelegate next)
    {
        var ssl = ctx.Features.Get<Microsoft.AspNetCore.Server.Kestrel.Core.Features.ISslStreamFeature>()?.SslStream;
        if (ssl is null) { await next(ctx); return; }
        var original = ctx.Transport;
        var pipe = new System.IO.Pipelines.Pipe(new System.IO.Pipelines.PipeOptions(pauseWriterThreshold: 256 * 1024, resumeWriterThreshold: 128 * 1024, minimumSegmentSize: 16 * 1024, useSynchronizationContext: false));
        ctx.Transport = new Duplex(original.Input, pipe.Writer);
        var pump = PumpAsync(pipe.Reader, ssl);
        try { await next(ctx); }
        finally { await pipe.Writer.CompleteAsync(); await pump; ctx.Transport = original; }
    }

    static async Task PumpAsync(System.IO.Pipelines.PipeReader reader, System.Net.Security.SslStream ssl)
    {
        var buf = System.Buffers.ArrayPool<byte>.Shared.Rent(int.TryParse(Environment.GetEnvironmentVariable("CEILING_COALESCE_BYTES"), out var cb) ? cb : 64 * 1024);
        try
        {
            while (true)
            {
                var result = await reader.ReadAsync();
                var seq = result.Buffer;
                while (!seq.IsEmpty)
                {
                    var n = (int)Math.Min(seq.Length, buf.Length);
                    System.Buffers.BuffersExtensions.CopyTo(seq.Slice(0, n), buf);
                    await ssl.WriteAsync(buf.AsMemory(0, n));
                    seq = seq.Slice(n);
                }
                reader.AdvanceTo(result.Buffer.End);
                if (result.IsCompleted || result.IsCanceled) break;
            }
        }
        catch (Exception) { }
        finally { System.Buffers.ArrayPool<byte>.Shared.Return(buf); await reader.CompleteAsync(); }
    }

    sealed class Duplex(System.IO.Pipelines.PipeReader input, System.IO.Pipelines.PipeWriter output) : System.IO.Pipelines.IDuplexPipe
    {
        public System.IO.Pipelines.PipeReader Input => input;
        public System.IO.Pipelines.PipeWriter Output => output;
    }
}

sealed class BigBlockPoolFactory(int blockSize) : Microsoft.AspNetCore.Connections.IMemoryPoolFactory<byte>
{
    public System.Buffers.MemoryPool<byte> Create(Microsoft.AspNetCore.Connections.MemoryPoolOptions? options = null) => new BigBlockPool(blockSize);
}

sealed class BigBlockPool(int blockSize) : System.Buffers.MemoryPool<byte>
{
    private readonly System.Collections.Concurrent.ConcurrentQueue<Block> _free = new();
    public override int MaxBufferSize => blockSize;
    public override System.Buffers.IMemoryOwner<byte> Rent(int minBufferSize = -1)
    {
        if (minBufferSize > blockSize) throw new ArgumentOutOfRangeException(nameof(minBufferSize));
        return _free.TryDequeue(out var b) ? b : new Block(this, GC.AllocateUninitializedArray<byte>(blockSize, pinned: true));
    }
    protected override void Dispose(bool disposing) { }
    internal void Return(Block b) => _free.Enqueue(b);

    internal sealed class Block(BigBlockPool pool, byte[] array) : System.Buffers.IMemoryOwner<byte>
    {
        public Memory<byte> Memory { get; } = System.Runtime.InteropServices.MemoryMarshal.CreateFromPinnedArray(array, 0, array.Length);
        public void Dispose() => pool.Return(this);
    }
}
