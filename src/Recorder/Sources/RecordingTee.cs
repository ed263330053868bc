using System.Collections.Concurrent;
using System.Threading.Channels;
using HlsGateway.Recorder.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace HlsGateway.Recorder.Sources;

/// <summary>
/// Tee and pull coexist like this: the <see cref="PlaylistFollower"/> always drives the order (it
/// knows sequence numbers from the playlist). For each segment it needs it first takes the body from
/// this buffer (filled by the gateway through <see cref="Offer"/>, keyed by gateway path), else it
/// fetches the segment itself through the gateway's cache, so the origin still sees one fetch either
/// way. <see cref="Offer"/> only does <c>TryWrite</c> on a bounded channel; a background loop moves
/// offers into a small bounded buffer (oldest evicted), so neither players nor the follower wait.
/// </summary>
internal sealed class RecordingTee : BackgroundService, ISegmentTee
{
    private readonly Channel<(string Path, ReadOnlyMemory<byte> Body)> _channel;
    private readonly ConcurrentDictionary<string, ReadOnlyMemory<byte>> _buffer = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<string> _order = new();
    private readonly int _bufferCapacity;
    private readonly Lock _watchLock = new();
    private volatile string[] _prefixes = [];
    private readonly Dictionary<string, int> _watchCounts = new(StringComparer.Ordinal);
    private long _offered, _dropped, _buffered, _hits, _misses, _evicted;

    public RecordingTee(IOptions<RecorderOptions> options)
    {
        var capacity = options.Value.ChannelCapacity;
        _bufferCapacity = Math.Max(16, capacity * 2);
        _channel = Channel.CreateBounded<(string, ReadOnlyMemory<byte>)>(new BoundedChannelOptions(capacity)
        {
            FullMode = BoundedChannelFullMode.Wait, // with TryWrite: fails instead of waiting
            SingleReader = false, // Drain() may read too
            SingleWriter = false,
        });
    }

    public TeeStats Stats => new(Interlocked.Read(ref _offered), Interlocked.Read(ref _dropped), Interlocked.Read(ref _buffered),
        Interlocked.Read(ref _hits), Interlocked.Read(ref _misses), Interlocked.Read(ref _evicted));

    public bool Wants(string path)
    {
        var prefixes = _prefixes;
        if (prefixes.Length == 0)
        {
            return false;
        }
        foreach (var prefix in prefixes)
        {
            if (path.StartsWith(prefix, StringComparison.Ordinal))
            {
                return true;
            }
        }
        return false;
    }

    public bool Offer(string path, ReadOnlyMemory<byte> body)
    {
        if (!Wants(path))
        {
            return false;
        }
        Interlocked.Increment(ref _offered);
        if (_channel.Writer.TryWrite((path, body)))
        {
            return true;
        }
        Interlocked.Increment(ref _dropped);
        return false;
    }

    /// <summary>A follower announces the directory (e.g. <c>/hls/news/live/</c>) whose resources it wants; dispose to stop.</summary>
    public IDisposable Watch(string directoryPrefix)
    {
        lock (_watchLock)
        {
            _watchCounts[directoryPrefix] = _watchCounts.GetValueOrDefault(directoryPrefix) + 1;
            _prefixes = [.. _watchCounts.Keys];
        }
        return new Unwatch(this, directoryPrefix);
    }

    /// <summary>Takes (and removes) a teed body for <paramref name="path"/>.</summary>
    public bool TryTake(string path, out ReadOnlyMemory<byte> body)
    {
        if (_buffer.TryRemove(path, out body) || (DrainIfQueued() && _buffer.TryRemove(path, out body)))
        {
            Interlocked.Increment(ref _hits);
            return true;
        }
        Interlocked.Increment(ref _misses);
        return false;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await foreach (var (path, body) in _channel.Reader.ReadAllAsync(stoppingToken).ConfigureAwait(false))
            {
                if (_buffer.TryAdd(path, body))
                {
                    _order.Enqueue(path);
                    Interlocked.Increment(ref _buffered);
                }
                while (_buffer.Count > _bufferCapacity && _order.TryDequeue(out var oldest))
                {
                    if (_buffer.TryRemove(oldest, out _))
                    {
                        Interlocked.Increment(ref _evicted);
                    }
                }
                if (_order.Count > _bufferCapacity * 4)
                {
                    // keys already taken by followers: compact the order queue
                    var live = _order.Where(_buffer.ContainsKey).ToArray();
                    _order.Clear();
                    foreach (var k in live)
                    {
                        _order.Enqueue(k);
                    }
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    private bool DrainIfQueued()
    {
        if (_channel.Reader.Count == 0)
        {
            return false;
        }
        Drain();
        return true;
    }

    /// <summary>Moves what is queued into the buffer now (followers that raced the background loop).</summary>
    internal void Drain()
    {
        while (_channel.Reader.TryRead(out var item))
        {
            if (_buffer.TryAdd(item.Path, item.Body))
            {
                _order.Enqueue(item.Path);
                Interlocked.Increment(ref _buffered);
            }
        }
    }

    private void Release(string prefix)
    {
        lock (_watchLock)
        {
            var n = _watchCounts.GetValueOrDefault(prefix) - 1;
            if (n <= 0)
            {
                _watchCounts.Remove(prefix);
            }
            else
            {
                _watchCounts[prefix] = n;
            }
            _prefixes = [.. _watchCounts.Keys];
        }
    }

    private sealed class Unwatch(RecordingTee tee, string prefix) : IDisposable
    {
        private int _disposed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0)
            {
                tee.Release(prefix);
            }
        }
    }
}
