namespace HlsGateway.Monitor.Stats;

/// <summary>Totals of the sliding window over <see cref="Seconds"/> complete seconds.</summary>
internal sealed class WindowSummary(int seconds, long requests, long lookups, long hits, long bytesOut, long bytesIn, long[] latency)
{
    public int Seconds { get; } = seconds;

    public long Requests { get; } = requests;

    public long Lookups { get; } = lookups;

    public long Hits { get; } = hits;

    public long BytesOut { get; } = bytesOut;

    public long BytesIn { get; } = bytesIn;

    public double RequestsPerSecond => (double)Requests / Seconds;

    public double BytesOutPerSecond => (double)BytesOut / Seconds;

    public double BytesInPerSecond => (double)BytesIn / Seconds;

    /// <summary>Hits over cache lookups (requests whose cache result was not None); null when there were none.</summary>
    public double? HitRatio => Lookups == 0 ? null : (double)Hits / Lookups;

    public long Count(int series)
    {
        long total = 0;
        foreach (var c in Bins(series))
        {
            total += c;
        }
        return total;
    }

    /// <summary>Quantile of a series in seconds (see <see cref="LatencySeries"/>); null when it has no samples.</summary>
    public double? Quantile(int series, double q) => LatencyBins.Quantile(Bins(series), Count(series), q);

    private ReadOnlySpan<long> Bins(int series) => latency.AsSpan(series * LatencyBins.Count, LatencyBins.Count);
}
