namespace HlsGateway.Recorder.Sources;

/// <summary>
/// Bounded set of segment URIs (query stripped: tokens change) listed by any playlist loaded so far,
/// oldest forgotten first. Tells a lagging copy of the playlist (URIs already seen) from new content.
/// </summary>
internal sealed class SeenUris(int capacity)
{
    private readonly HashSet<string> _set = new(capacity, StringComparer.Ordinal);
    private readonly Queue<string> _order = new(capacity);

    public bool Contains(string uri) => _set.Contains(Strip(uri));

    public void Add(string uri)
    {
        var key = Strip(uri);
        if (!_set.Add(key))
        {
            return;
        }
        _order.Enqueue(key);
        if (_order.Count > capacity)
        {
            _set.Remove(_order.Dequeue());
        }
    }

    private static string Strip(string uri)
    {
        var q = uri.IndexOf('?', StringComparison.Ordinal);
        return q < 0 ? uri : uri[..q];
    }
}
