namespace HlsGateway.Recorder.Pipeline;

/// <summary>Bounded set of recently seen segment keys (oldest forgotten first), like BililiveRecorder's duplicate-chunk history.</summary>
internal sealed class SequenceHistory(int capacity)
{
    private readonly HashSet<SequenceKey> _set = new(capacity);
    private readonly Queue<SequenceKey> _order = new(capacity);

    public int Count => _set.Count;

    public bool Contains(SequenceKey key) => _set.Contains(key);

    /// <summary>Adds the key; false when it was already there.</summary>
    public bool Add(SequenceKey key)
    {
        if (!_set.Add(key))
        {
            return false;
        }
        _order.Enqueue(key);
        if (_order.Count > capacity)
        {
            _set.Remove(_order.Dequeue());
        }
        return true;
    }
}
