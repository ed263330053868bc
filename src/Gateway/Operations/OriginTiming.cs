namespace HlsGateway.Operations;

/// <summary>
/// Carries the origin fetch time of a request to its access-log line. The access log opens a slot per
/// request (an <see cref="AsyncLocal{T}"/>, only while the log is on); the origin fetch, which runs in the
/// flow of the request that started it, records its duration there. Requests served from the cache or
/// collapsed onto another request's fetch log no origin time.
/// </summary>
internal static class OriginTiming
{
    private static readonly AsyncLocal<Slot?> Current = new();

    /// <summary>Opens the slot of the current request.</summary>
    public static Slot Begin()
    {
        var slot = new Slot();
        Current.Value = slot;
        return slot;
    }

    /// <summary>Called by the origin fetch; a no-op when no access log is listening.</summary>
    public static void Record(double seconds)
    {
        var slot = Current.Value;
        if (slot is not null)
        {
            slot.Seconds = slot.Seconds < 0 ? seconds : slot.Seconds + seconds; // failover retries add up
        }
    }

    internal sealed class Slot
    {
        public double Seconds { get; set; } = -1;
    }
}
