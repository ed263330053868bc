namespace HlsGateway.Recorder.Sources;

/// <summary>Counters of the tee (for /stats and tests).</summary>
internal readonly record struct TeeStats(long Offered, long Dropped, long Buffered, long Hits, long Misses, long Evicted);
