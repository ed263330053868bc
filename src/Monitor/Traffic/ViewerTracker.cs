using System.Collections.Concurrent;
using System.Net;
using Microsoft.Extensions.Options;

namespace HlsGateway.Monitor.Traffic;

/// <summary>
/// Counts distinct client addresses per playlist (<c>origin/path.m3u8</c>) seen within the viewer
/// window. Bounded twice: at most <see cref="MonitorOptions.MaxTrackedStreams"/> playlists and
/// <see cref="MonitorOptions.MaxViewersPerStream"/> clients each, so a flood of distinct paths or
/// addresses costs a fixed amount of memory. Lookups use the span of the request path: no string
/// is allocated for a playlist already tracked.
/// </summary>
internal sealed class ViewerTracker
{
    private readonly ConcurrentDictionary<string, StreamViewers> _streams = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, StreamViewers>.AlternateLookup<ReadOnlySpan<char>> _lookup;
    private readonly TimeProvider _time;
    private readonly MonitorOptions _options;
    private readonly long _windowTicks;
    private long _lastPrune;
    private long _dropped;

    public ViewerTracker(TimeProvider time, IOptions<MonitorOptions> options)
    {
        _time = time;
        _options = options.Value;
        _windowTicks = _options.ViewerWindow.Ticks;
        _lookup = _streams.GetAlternateLookup<ReadOnlySpan<char>>();
        _lastPrune = time.GetUtcNow().UtcTicks;
    }

    /// <summary>Playlists not tracked because the table was full.</summary>
    public long Dropped => Interlocked.Read(ref _dropped);

    public int Tracked => _streams.Count;

    /// <summary>Records that <paramref name="client"/> fetched playlist <paramref name="stream"/> (<c>origin/path</c>).</summary>
    public void Seen(ReadOnlySpan<char> stream, IPAddress? client)
    {
        if (client is null || stream.IsEmpty)
        {
            return;
        }
        var now = _time.GetUtcNow().UtcTicks;
        if (!_lookup.TryGetValue(stream, out var viewers))
        {
            if (_streams.Count >= _options.MaxTrackedStreams)
            {
                Prune(now);
                if (_streams.Count >= _options.MaxTrackedStreams)
                {
                    Interlocked.Increment(ref _dropped);
                    return;
                }
            }
            var key = stream.ToString();
            viewers = _streams.GetOrAdd(key, static k => new StreamViewers(k));
        }
        viewers.Seen(client, now, _options.MaxViewersPerStream);
        if (now - Volatile.Read(ref _lastPrune) > _windowTicks)
        {
            Prune(now);
        }
    }

    /// <summary>The busiest playlists (by distinct viewers in the window), at most <paramref name="count"/>.</summary>
    public IReadOnlyList<StreamViewerCount> Top(int count)
    {
        var now = _time.GetUtcNow().UtcTicks;
        Prune(now);
        if (count <= 0)
        {
            return [];
        }
        var list = new List<StreamViewerCount>(_streams.Count);
        foreach (var (key, viewers) in _streams)
        {
            var n = viewers.Count(now - _windowTicks);
            if (n > 0)
            {
                list.Add(new StreamViewerCount(key, n));
            }
        }
        list.Sort(static (a, b) => b.Viewers != a.Viewers ? b.Viewers.CompareTo(a.Viewers) : string.CompareOrdinal(a.Stream, b.Stream));
        return list.Count > count ? list.GetRange(0, count) : list;
    }

    private void Prune(long now)
    {
        var last = Volatile.Read(ref _lastPrune);
        if (now - last < TimeSpan.TicksPerSecond || Interlocked.CompareExchange(ref _lastPrune, now, last) != last)
        {
            return; // pruned a moment ago, or another thread is pruning
        }
        var cutoff = now - _windowTicks;
        foreach (var (key, viewers) in _streams)
        {
            if (viewers.Prune(cutoff) == 0)
            {
                _streams.TryRemove(new KeyValuePair<string, StreamViewers>(key, viewers));
            }
        }
    }

    private sealed class StreamViewers(string key)
    {
        // One second of resolution is plenty for a 30 s viewer window: a client already seen within it
        // costs a lock-free read, so a hot playlist polled by thousands of players does not serialise on a lock.
        private static readonly long Resolution = TimeSpan.TicksPerSecond;
        private readonly ConcurrentDictionary<IPAddress, long> _lastSeen = new();
        private int _count;

        public string Key { get; } = key;

        public void Seen(IPAddress client, long now, int max)
        {
            if (_lastSeen.TryGetValue(client, out var seen))
            {
                if (now - seen >= Resolution)
                {
                    _lastSeen[client] = now;
                }
                return;
            }
            if (Volatile.Read(ref _count) < max && _lastSeen.TryAdd(client, now))
            {
                Interlocked.Increment(ref _count);
            }
        }

        public int Count(long cutoff)
        {
            var n = 0;
            foreach (var (_, seen) in _lastSeen)
            {
                if (seen >= cutoff)
                {
                    n++;
                }
            }
            return n;
        }

        public int Prune(long cutoff)
        {
            foreach (var (client, seen) in _lastSeen)
            {
                if (seen < cutoff && _lastSeen.TryRemove(new KeyValuePair<IPAddress, long>(client, seen)))
                {
                    Interlocked.Decrement(ref _count);
                }
            }
            return Volatile.Read(ref _count);
        }
    }
}
