using System.Buffers;
using System.IO.Pipelines;
using System.Net.Security;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core.Features;

namespace HlsGateway.Hosting;

/// <summary>
/// A connection middleware between Kestrel's HTTP layer and the TLS stream (after <c>UseHttps</c>): what HTTP writes
/// goes to a pipe, and one loop hands it to <see cref="SslStream"/> in writes of up to <see cref="MaxWrite"/> bytes.
/// Why: Kestrel's HTTP/2 frame writer flushes frame by frame, and each ~4 KB flush became its own TLS record and
/// its own sendmsg (strace of bare Kestrel over TLS h2: ~164 writes of 1-5 KB per 670 KB segment; nginx: ~41 of 16 KB).
/// Writes that arrive while the previous one is being encrypted and sent are coalesced, so a segment leaves in
/// full 16 KB records; a lone small write (a playlist, a HEADERS frame) goes out at once, never held back.
/// Benchmarks: benchmarks/README.md "TLS write coalescing".
/// </summary>
internal static partial class TlsWriteCoalescer
{
    /// <summary>Largest single write to the SslStream: four full TLS records.</summary>
    public const int MaxWrite = 64 * 1024;

    /// <summary>TLS 1.3's largest record payload: a write this large is not split into small records.</summary>
    private const int FullRecord = 16 * 1024;

    // Pipe blocks come from the connection's own (Kestrel's pinned, retaining) pool: with ArrayPool-backed 16 KB
    // segments, 2,000 players over TLS h2 outgrew what ArrayPool.Shared keeps and every block became garbage
    // (run-players TLS=1, 2026-12-07: 31 GB allocated for 44 GB served, 17 s of GC pauses).
    // Two writes ahead at most: what the frame writer may queue per connection while the socket is full is pinned
    // pool memory (a TLS h2 player with open windows and a full socket held 405 KB with 256 KB here, 309 KB with this).
    internal const int PauseWriterThreshold = 2 * MaxWrite;

    // Where the pump runs (PumpScheduler): inline in the frame writer's flush once a full TLS record is waiting (a
    // segment's DATA frames), straight into SslStream with no thread-pool hop; queued while less is (HEADERS and small
    // bodies), so the frames of many streams gather into one write. Always inline: 670 KB segment over TLS h2 48 -> 36
    // work items per response with 64 KB writes, but the TLS h2 playlist row (32 x 10) fell from 131-160k to 63-81k
    // req/s, every small frame encrypted and sent alone. Always queued: 22 instead of 12 work items per segment with
    // 256 KB writes, 640-654 instead of 447-461 us CPU on 32 x 10. The writer side stays on the thread pool: the frame
    // writer resuming inside our AdvanceTo would run Kestrel's code in the middle of ours.
    private static PipeOptions OptionsFor(MemoryPool<byte>? pool, PumpScheduler scheduler) => new(
        pool, readerScheduler: scheduler, writerScheduler: PipeScheduler.ThreadPool,
        pauseWriterThreshold: PauseWriterThreshold, resumeWriterThreshold: MaxWrite,
        minimumSegmentSize: pool is { MaxBufferSize: > 0 and var max } ? Math.Min(max, 16 * 1024) : 16 * 1024, useSynchronizationContext: false);

    public static async Task RunAsync(ConnectionContext connection, ConnectionDelegate next)
    {
        var ssl = connection.Features.Get<ISslStreamFeature>()?.SslStream;
        // HTTP/1.1 over TLS already writes a response in few large writes (~20 of 17-66 KB per segment): there the
        // extra pipe hop only costs (run-bench 2026-12-07: tls_h1_m3u8 0.73x nginx with it), so only h2 connections
        if (ssl is null || !IsHttp2(connection))
        {
            await next(connection).ConfigureAwait(false);
            return;
        }
        var original = connection.Transport;
        var scheduler = new PumpScheduler();
        var pipe = new Pipe(OptionsFor(connection.Features.Get<IMemoryPoolFeature>()?.MemoryPool, scheduler));
        connection.Transport = new DuplexPipe(original.Input, new CountingWriter(pipe.Writer, scheduler));
        var pump = PumpAsync(pipe.Reader, ssl, connection, scheduler);
        try
        {
            await next(connection).ConfigureAwait(false);
        }
        finally
        {
            await pipe.Writer.CompleteAsync().ConfigureAwait(false); // usually done by Kestrel already: a no-op then
            await pump.ConfigureAwait(false);
            connection.Transport = original;
            await original.Output.CompleteAsync().ConfigureAwait(false); // the TLS adapter closes after our last byte
        }
    }

    private static bool IsHttp2(ConnectionContext connection) =>
        connection.Features.Get<ITlsApplicationProtocolFeature>()?.ApplicationProtocol.Span.SequenceEqual(SslApplicationProtocol.Http2.Protocol.Span) == true;

    private static async Task PumpAsync(PipeReader reader, SslStream ssl, ConnectionContext connection, PumpScheduler scheduler)
    {
        Exception? failure = null;
        try
        {
            while (true)
            {
                var result = await reader.ReadAsync().ConfigureAwait(false);
                var data = result.Buffer;
                while (!data.IsEmpty)
                {
                    if (data.First.Length >= FullRecord || data.IsSingleSegment)
                    {
                        // at least one full TLS record contiguous already (large pipe blocks, Gateway:Hosting:IoBlockSize): no copy
                        var block = data.First.Length > MaxWrite ? data.First[..MaxWrite] : data.First;
                        await ssl.WriteAsync(block).ConfigureAwait(false);
                        data = data.Slice(block.Length);
                        continue;
                    }
                    // rented per write, not per connection: 2,000 idle players must not each hold 64 KB
                    var n = (int)Math.Min(data.Length, MaxWrite);
                    var buffer = ArrayPool<byte>.Shared.Rent(n);
                    try
                    {
                        data.Slice(0, n).CopyTo(buffer);
                        await ssl.WriteAsync(buffer.AsMemory(0, n)).ConfigureAwait(false);
                    }
                    finally
                    {
                        ArrayPool<byte>.Shared.Return(buffer);
                    }
                    data = data.Slice(n);
                }
                reader.AdvanceTo(result.Buffer.End);
                scheduler.Consumed(result.Buffer.Length);
                if (result.IsCompleted || result.IsCanceled)
                {
                    break;
                }
            }
        }
        catch (Exception ex)
        {
            // the peer went away mid-write: tell the HTTP layer (its next flush fails) and drop the connection. The abort
            // is queued: running inline, we may be inside the frame writer's own flush, and aborting re-enters it.
            failure = ex;
            ThreadPool.UnsafeQueueUserWorkItem(
                static state => state.Connection.Abort(new ConnectionAbortedException("TLS write failed.", state.Error)),
                (Connection: connection, Error: ex), preferLocal: false);
        }
        finally
        {
            await reader.CompleteAsync(failure).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Runs the pump inline when at least a full TLS record waits in the pipe, else on the thread pool. Its count is
    /// what the HTTP layer advanced and the pump has not yet consumed.
    /// </summary>
    internal sealed class PumpScheduler : PipeScheduler
    {
        private long _pending;

        public void Written(int bytes) => Interlocked.Add(ref _pending, bytes);

        public void Consumed(long bytes) => Interlocked.Add(ref _pending, -bytes);

        public override void Schedule(Action<object?> action, object? state)
        {
            if (Volatile.Read(ref _pending) >= FullRecord)
            {
                action(state);
            }
            else
            {
                ThreadPool.Schedule(action, state);
            }
        }
    }

    /// <summary>The HTTP layer's writer: the pipe's own, counting what is advanced for <see cref="PumpScheduler"/>.</summary>
    private sealed class CountingWriter(PipeWriter inner, PumpScheduler scheduler) : PipeWriter
    {
        public override void Advance(int bytes)
        {
            inner.Advance(bytes);
            scheduler.Written(bytes);
        }

        public override Memory<byte> GetMemory(int sizeHint = 0) => inner.GetMemory(sizeHint);

        public override Span<byte> GetSpan(int sizeHint = 0) => inner.GetSpan(sizeHint);

        public override ValueTask<FlushResult> FlushAsync(CancellationToken cancellationToken = default) => inner.FlushAsync(cancellationToken);

        public override void CancelPendingFlush() => inner.CancelPendingFlush();

        public override void Complete(Exception? exception = null) => inner.Complete(exception);

        public override ValueTask CompleteAsync(Exception? exception = null) => inner.CompleteAsync(exception);

        public override bool CanGetUnflushedBytes => inner.CanGetUnflushedBytes;

        public override long UnflushedBytes => inner.UnflushedBytes;
    }

    /// <summary>A transport whose one side is replaced (here: output; <see cref="TlsDirectSend"/>: the cipher side's output).</summary>
    internal sealed class DuplexPipe(PipeReader input, PipeWriter output) : IDuplexPipe
    {
        public PipeReader Input => input;

        public PipeWriter Output => output;
    }
}
