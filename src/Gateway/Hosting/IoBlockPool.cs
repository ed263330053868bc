using System.Buffers;
using System.Collections.Concurrent;
using System.Runtime.InteropServices;
using Microsoft.AspNetCore.Connections;

namespace HlsGateway.Hosting;

/// <summary>
/// Kestrel's connection memory pool with <see cref="BlockSize"/>-byte blocks instead of Kestrel's fixed 4 KB
/// (<c>Gateway:Hosting:IoBlockSize</c>). Every pipe Kestrel puts between the socket, TLS, the HTTP/2 frame writer
/// and a response stream takes its segments from this pool, so a 670 KB cached segment crosses each hop in ~11
/// blocks instead of ~164: fewer segment switches per copy, fewer rents, and TLS writes of whole records.
/// Blocks are pinned (sockets and SslStream use them directly) and kept for reuse; what the recent peak did not
/// need is let go every <see cref="TrimPeriod"/> (as Kestrel's own pool evicts idle blocks since .NET 10).
/// </summary>
internal sealed class IoBlockPool : MemoryPool<byte>
{
    private static readonly TimeSpan TrimPeriod = TimeSpan.FromSeconds(10);

    private readonly ConcurrentQueue<Block> _free = new();
    private readonly Timer _trim;
    private int _freeCount;
    private int _inUse;
    private int _peakInUse;
    private volatile bool _disposed;

    private readonly IoBlockPoolFactory? _owner;

    public IoBlockPool(int blockSize, IoBlockPoolFactory? owner = null)
    {
        BlockSize = blockSize;
        _owner = owner;
        _trim = new Timer(static s => ((IoBlockPool)s!).Trim(), this, TrimPeriod, TrimPeriod);
    }

    public int BlockSize { get; }

    public override int MaxBufferSize => BlockSize;

    /// <summary>Blocks handed out and not yet returned (for tests and diagnostics).</summary>
    public int InUse => Volatile.Read(ref _inUse);

    /// <summary>Blocks kept for reuse.</summary>
    public int Free => Volatile.Read(ref _freeCount);

    public override IMemoryOwner<byte> Rent(int minBufferSize = -1)
    {
        // as Kestrel's pool: a caller asking for more than a block must use another buffer (Pipe does)
        ArgumentOutOfRangeException.ThrowIfGreaterThan(minBufferSize, BlockSize);
        var inUse = Interlocked.Increment(ref _inUse);
        if (inUse > Volatile.Read(ref _peakInUse))
        {
            Volatile.Write(ref _peakInUse, inUse); // a racy max is fine: it only sizes the next trim
        }
        if (_free.TryDequeue(out var block))
        {
            Interlocked.Decrement(ref _freeCount);
            block.Rented = true;
            return block;
        }
        if (_owner is not null)
        {
            Interlocked.Increment(ref _owner.BlocksAllocated);
        }
        return new Block(this, GC.AllocateUninitializedArray<byte>(BlockSize, pinned: true)) { Rented = true };
    }

    private void Return(Block block)
    {
        if (!block.Rented)
        {
            return; // a second Dispose of the same owner: never queue a block twice
        }
        block.Rented = false;
        Interlocked.Decrement(ref _inUse);
        if (_disposed)
        {
            return; // the listener is gone: the block goes to the GC
        }
        _free.Enqueue(block);
        Interlocked.Increment(ref _freeCount);
    }

    /// <summary>Lets go of half of the free blocks the last period's peak did not need (none while load holds).</summary>
    internal void Trim()
    {
        var peak = Interlocked.Exchange(ref _peakInUse, Volatile.Read(ref _inUse));
        var needed = Math.Max(0, peak - Volatile.Read(ref _inUse));
        var surplus = (Volatile.Read(ref _freeCount) - needed) / 2;
        for (var i = 0; i < surplus && _free.TryDequeue(out _); i++)
        {
            Interlocked.Decrement(ref _freeCount);
        }
    }

    protected override void Dispose(bool disposing)
    {
        _disposed = true;
        _trim.Dispose();
        while (_free.TryDequeue(out _))
        {
            Interlocked.Decrement(ref _freeCount);
        }
    }

    private sealed class Block(IoBlockPool pool, byte[] array) : IMemoryOwner<byte>
    {
        public bool Rented { get; set; }

        public Memory<byte> Memory { get; } = MemoryMarshal.CreateFromPinnedArray(array, 0, array.Length);

        public void Dispose() => pool.Return(this);
    }
}

/// <summary>Hands Kestrel's socket transport <see cref="IoBlockPool"/>s (registered over Kestrel's own factory).</summary>
internal sealed class IoBlockPoolFactory(int blockSize) : IMemoryPoolFactory<byte>, HlsGateway.Monitor.Metrics.IIoBufferSource
{
    private readonly ConcurrentQueue<IoBlockPool> _pools = new();

    /// <summary>Blocks allocated by all pools of this factory so far (shows the transport uses them).</summary>
    internal long BlocksAllocated;

    public int BlockSize => blockSize;

    /// <summary>Blocks rented from all pools and not yet returned: what the connections hold right now.</summary>
    public long BlocksInUse => Sum(static p => p.InUse);

    /// <summary>Blocks kept for reuse by all pools.</summary>
    public long BlocksFree => Sum(static p => p.Free);

    private long Sum(Func<IoBlockPool, int> count)
    {
        long n = 0;
        foreach (var pool in _pools)
        {
            n += count(pool);
        }
        return n;
    }

    long HlsGateway.Monitor.Metrics.IIoBufferSource.BytesInUse => BlocksInUse * blockSize;

    long HlsGateway.Monitor.Metrics.IIoBufferSource.BytesFree => BlocksFree * blockSize;

    public MemoryPool<byte> Create(MemoryPoolOptions? options = null)
    {
        // the transport makes one per I/O queue and listener (a handful for the process' life): kept for the counts
        var pool = new IoBlockPool(blockSize, this);
        _pools.Enqueue(pool);
        return pool;
    }
}
