using HlsGateway.Monitor.Metrics;

namespace HlsGateway.Monitor.Stats;

/// <summary>
/// A one-minute sliding window of per-second slots (requests, cache lookups and hits, bytes in and
/// out, latency bins per series) for /stats. Recording is a handful of interlocked adds on the
/// current second's slot; a slot is cleared when a new second claims it. Reads are approximate
/// (a slot can be read while it is written), which is fine for a dashboard.
/// </summary>
internal sealed class RequestWindow : IServingLoad
{
    public const int WindowSeconds = 60;
    private const int SlotCount = 64; // > WindowSeconds so the current second never overwrites the window
    private const int Mask = SlotCount - 1;

    private readonly TimeProvider _time;
    private readonly long _origin;
    private readonly Slot[] _slots = new Slot[SlotCount];

    public RequestWindow(TimeProvider time)
    {
        _time = time;
        _origin = time.GetTimestamp();
        for (var i = 0; i < SlotCount; i++)
        {
            _slots[i] = new Slot();
        }
    }

    /// <summary>Whole seconds since this window was created (the slot clock).</summary>
    public long CurrentSecond => (long)(_time.GetElapsedTime(_origin).Ticks / TimeSpan.TicksPerSecond);

    /// <summary>Requests completed in the last complete second; 0 when none were recorded in it.</summary>
    public double RequestsPerSecond
    {
        get
        {
            var last = CurrentSecond - 1;
            if (last < 0)
            {
                return 0;
            }
            var slot = _slots[last & Mask];
            return Volatile.Read(ref slot.Second) == last ? Volatile.Read(ref slot.Requests) : 0;
        }
    }

    public void RecordRequest(RouteKind kind, CacheResult cache, double seconds, long bytesOut)
    {
        var slot = Claim(CurrentSecond);
        Interlocked.Increment(ref slot.Requests);
        if (cache != CacheResult.None)
        {
            Interlocked.Increment(ref slot.Lookups);
            if (cache == CacheResult.Hit)
            {
                Interlocked.Increment(ref slot.Hits);
            }
        }
        if (bytesOut > 0)
        {
            Interlocked.Add(ref slot.BytesOut, bytesOut);
        }
        var series = (uint)kind < 4 ? (int)kind : (int)RouteKind.Other;
        Interlocked.Increment(ref slot.Latency[(series * LatencyBins.Count) + LatencyBins.Index(seconds)]);
    }

    public void RecordBytesIn(long bytes)
    {
        if (bytes > 0)
        {
            Interlocked.Add(ref Claim(CurrentSecond).BytesIn, bytes);
        }
    }

    public void RecordRedis(double seconds)
    {
        var slot = Claim(CurrentSecond);
        Interlocked.Increment(ref slot.Latency[(LatencySeries.Redis * LatencyBins.Count) + LatencyBins.Index(seconds)]);
    }

    /// <summary>Sums the last complete seconds (up to 60; fewer right after start) into a summary.</summary>
    public WindowSummary Summarize()
    {
        var now = CurrentSecond;
        // complete seconds only: the current one is still filling up
        var span = (int)Math.Clamp(now, 1, WindowSeconds);
        var latency = new long[LatencySeries.Count * LatencyBins.Count];
        long requests = 0, lookups = 0, hits = 0, bytesOut = 0, bytesIn = 0;
        for (var s = now - span; s < now; s++)
        {
            if (s < 0)
            {
                continue;
            }
            var slot = _slots[s & Mask];
            if (Volatile.Read(ref slot.Second) != s)
            {
                continue; // nothing was recorded in that second
            }
            requests += Volatile.Read(ref slot.Requests);
            lookups += Volatile.Read(ref slot.Lookups);
            hits += Volatile.Read(ref slot.Hits);
            bytesOut += Volatile.Read(ref slot.BytesOut);
            bytesIn += Volatile.Read(ref slot.BytesIn);
            for (var i = 0; i < latency.Length; i++)
            {
                latency[i] += Volatile.Read(ref slot.Latency[i]);
            }
        }
        return new WindowSummary(span, requests, lookups, hits, bytesOut, bytesIn, latency);
    }

    private Slot Claim(long second)
    {
        var slot = _slots[second & Mask];
        if (Volatile.Read(ref slot.Second) != second)
        {
            Reset(slot, second);
        }
        return slot;
    }

    private static void Reset(Slot slot, long second)
    {
        lock (slot)
        {
            if (slot.Second == second)
            {
                return;
            }
            // clear first, then publish the second: readers skip a slot whose second does not match
            Volatile.Write(ref slot.Second, -1);
            slot.Requests = slot.Lookups = slot.Hits = slot.BytesOut = slot.BytesIn = 0;
            Array.Clear(slot.Latency);
            Volatile.Write(ref slot.Second, second);
        }
    }

    private sealed class Slot
    {
        public long Second = -1;
        public long Requests;
        public long Lookups;
        public long Hits;
        public long BytesOut;
        public long BytesIn;
        public readonly long[] Latency = new long[LatencySeries.Count * LatencyBins.Count];
    }
}
