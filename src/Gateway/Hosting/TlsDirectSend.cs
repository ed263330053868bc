using System.Buffers;
using System.IO.Pipelines;
using System.Net.Sockets;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Connections.Features;

namespace HlsGateway.Hosting;

/// <summary>
/// A connection middleware under TLS (before <c>UseHttps</c>): the encrypted records SslStream writes go straight to
/// the socket instead of into the socket transport's output pipe. Why: Kestrel's TLS adapter wraps the transport pipe
/// in a stream, so every record SslStream has just encrypted was copied once more into a pipe block and sent later
/// by the transport's send loop on another thread (perf under TLS h2 segment load, 2026-12-07: that copy was 3.5 %
/// of the gateway's CPU, plus a thread-pool hop per record). nginx sends from its TLS buffer; this does the same.
/// Reads still come through the transport, and it still owns closing the socket: we only complete its output.
/// Off with <c>Gateway:Tls:DirectSend=false</c>; without a socket (another transport) it is a no-op.
/// </summary>
internal static class TlsDirectSend
{
    private static long s_connections;
    private static long s_pendingSends;

    /// <summary>Connections whose TLS output went straight to the socket (tests check the path is really taken).</summary>
    public static long Connections => Interlocked.Read(ref s_connections);

    /// <summary>Sends the kernel did not take at once (a full socket buffer: a slow reader), so they were awaited.</summary>
    public static long PendingSends => Interlocked.Read(ref s_pendingSends);

    public static Task RunAsync(ConnectionContext connection, ConnectionDelegate next)
    {
        if (connection.Features.Get<IConnectionSocketFeature>()?.Socket is not { } socket)
        {
            return next(connection);
        }
        Interlocked.Increment(ref s_connections);
        var original = connection.Transport;
        connection.Transport = new TlsWriteCoalescer.DuplexPipe(original.Input, new SocketWriter(socket, original.Output, connection));
        return next(connection);
    }

    /// <summary>
    /// A <see cref="PipeWriter"/> whose <see cref="WriteAsync"/> sends the caller's buffer (SslStream's encrypted
    /// record) with no copy. <see cref="GetMemory"/>/<see cref="Advance"/> still work (buffered, sent on flush):
    /// Kestrel's stream adapter uses them for synchronous writes.
    /// </summary>
    internal sealed class SocketWriter(Socket socket, PipeWriter transportOutput, ConnectionContext connection) : PipeWriter
    {
        private CancellationTokenSource _cancel = new();
        private ArrayBufferWriter<byte>? _buffered;
        private volatile bool _flushCanceled;
        private bool _completed;

        public override ValueTask<FlushResult> WriteAsync(ReadOnlyMemory<byte> source, CancellationToken cancellationToken = default)
        {
            if (_completed)
            {
                throw new InvalidOperationException("Writing is not allowed after the writer was completed.");
            }
            if (_buffered is { WrittenCount: > 0 })
            {
                _buffered.Write(source.Span);
                return FlushAsync(cancellationToken);
            }
            return SendAsync(source, cancellationToken);
        }

        public override Memory<byte> GetMemory(int sizeHint = 0) => (_buffered ??= new ArrayBufferWriter<byte>(4096)).GetMemory(sizeHint);

        public override Span<byte> GetSpan(int sizeHint = 0) => (_buffered ??= new ArrayBufferWriter<byte>(4096)).GetSpan(sizeHint);

        public override void Advance(int bytes) => _buffered!.Advance(bytes);

        public override async ValueTask<FlushResult> FlushAsync(CancellationToken cancellationToken = default)
        {
            if (_buffered is not { WrittenCount: > 0 } buffered)
            {
                return new FlushResult(isCanceled: false, isCompleted: _completed);
            }
            var result = await SendAsync(buffered.WrittenMemory, cancellationToken).ConfigureAwait(false);
            buffered.ResetWrittenCount();
            return result;
        }

        public override void CancelPendingFlush()
        {
            _flushCanceled = true;
            var canceled = _cancel;
            _cancel = new CancellationTokenSource(); // the next write must not see this cancellation
            canceled.Cancel();
        }

        public override void Complete(Exception? exception = null)
        {
            if (MarkCompleted())
            {
                // the transport's (idle) send loop ends on this and closes the socket, as without us
                transportOutput.Complete(exception);
            }
        }

        public override ValueTask CompleteAsync(Exception? exception = null) =>
            MarkCompleted() ? transportOutput.CompleteAsync(exception) : ValueTask.CompletedTask;

        private bool MarkCompleted()
        {
            if (_completed)
            {
                return false;
            }
            _completed = true;
            _cancel.Dispose();
            return true;
        }

        private ValueTask<FlushResult> SendAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
        {
            if (data.IsEmpty)
            {
                return new ValueTask<FlushResult>(new FlushResult(isCanceled: false, isCompleted: false));
            }
            // the common case: the kernel takes the record at once, no state machine, no allocation. A caller's own
            // token (Kestrel's HTTP/1.1 adapter passes one) is used as is rather than linked with CancelPendingFlush's:
            // a linked source per record would cost more than the copy this class removes, and nothing cancels the
            // flushes of a transport under TLS (the HTTP layer cancels its own pipe's)
            var token = cancellationToken.CanBeCanceled ? cancellationToken : _cancel.Token;
            var first = socket.SendAsync(data, SocketFlags.None, token);
            if (first.IsCompletedSuccessfully && first.Result == data.Length)
            {
                return new ValueTask<FlushResult>(new FlushResult(isCanceled: false, isCompleted: false));
            }
            if (!first.IsCompleted)
            {
                Interlocked.Increment(ref s_pendingSends);
            }
            return SendRestAsync(first, data, token);
        }

        /// <summary>Waits for the first send (a full socket buffer), then sends what it left, if anything.</summary>
        private async ValueTask<FlushResult> SendRestAsync(ValueTask<int> first, ReadOnlyMemory<byte> data, CancellationToken token)
        {
            try
            {
                data = data[await first.ConfigureAwait(false)..];
                while (!data.IsEmpty)
                {
                    data = data[await socket.SendAsync(data, SocketFlags.None, token).ConfigureAwait(false)..];
                }
            }
            catch (Exception ex) when (Canceled(ex))
            {
                return new FlushResult(isCanceled: true, isCompleted: false);
            }
            catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
            {
                throw Reset(ex);
            }
            return new FlushResult(isCanceled: false, isCompleted: false);
        }

        private bool Canceled(Exception ex)
        {
            if (ex is OperationCanceledException && _flushCanceled)
            {
                _flushCanceled = false;
                return true;
            }
            return false;
        }

        // what Kestrel's own socket transport reports for a peer gone mid-send: the HTTP layer logs it as a reset
        private ConnectionResetException Reset(Exception ex)
        {
            connection.Abort(new ConnectionAbortedException("The client went away during a TLS send.", ex));
            return new ConnectionResetException(ex.Message, ex);
        }
    }
}
