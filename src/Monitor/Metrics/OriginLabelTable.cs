namespace HlsGateway.Monitor.Metrics;

/// <summary>
/// Maps an origin name to its per-origin slot of cached metric children. The gateway passes the
/// configured name (the same string instance every time), so the hot path is a reference compare
/// over a handful of entries; a new name is added under a lock, and past the cap every further
/// origin shares one overflow slot, so a bug upstream cannot explode label cardinality.
/// </summary>
internal sealed class OriginLabelTable<TSlot>(int capacity, Func<string, TSlot> create)
    where TSlot : class
{
    private readonly Lock _sync = new();
    private volatile Entry[] _entries = [];
    private TSlot? _overflow;

    public TSlot Get(string origin)
    {
        var entries = _entries;
        for (var i = 0; i < entries.Length; i++)
        {
            if (ReferenceEquals(entries[i].Name, origin))
            {
                return entries[i].Slot;
            }
        }
        return Slow(origin);
    }

    public int Count => _entries.Length;

    private TSlot Slow(string origin)
    {
        var entries = _entries;
        foreach (var e in entries)
        {
            if (string.Equals(e.Name, origin, StringComparison.OrdinalIgnoreCase))
            {
                // remember this instance too, so the next call takes the reference path
                return Add(origin, e.Slot);
            }
        }
        lock (_sync)
        {
            foreach (var e in _entries)
            {
                if (string.Equals(e.Name, origin, StringComparison.OrdinalIgnoreCase))
                {
                    return e.Slot;
                }
            }
            if (DistinctNames() >= capacity)
            {
                return _overflow ??= create(MetricLabels.OverflowOrigin);
            }
            var slot = create(origin);
            _entries = [.. _entries, new Entry(origin, slot)];
            return slot;
        }
    }

    private TSlot Add(string alias, TSlot slot)
    {
        lock (_sync)
        {
            // aliases are bounded too: at most a few per origin (config reloads create new instances)
            if (_entries.Length < capacity * 4)
            {
                _entries = [.. _entries, new Entry(alias, slot)];
            }
        }
        return slot;
    }

    private int DistinctNames() => _entries.Select(e => e.Slot).Distinct().Count();

    private readonly record struct Entry(string Name, TSlot Slot);
}
