using System.Numerics;

namespace HlsGateway.Monitor.Stats;

/// <summary>
/// Log-linear latency bins: four bins per power of two of microseconds (relative error at most
/// ~12% of the value), from 16 µs to ~17 min. One index computation, no floating-point search,
/// so the hot path can bump an int.
/// </summary>
internal static class LatencyBins
{
    public const int Count = 112;
    private const int SubBits = 2;              // 4 bins per octave
    private const int FirstOctave = 4;          // 16 µs

    public static int Index(double seconds)
    {
        if (!(seconds > 0))
        {
            return 0;
        }
        var us = seconds >= 1e12 ? long.MaxValue : (long)(seconds * 1_000_000);
        if (us < 1L << FirstOctave)
        {
            return 0;
        }
        var octave = BitOperations.Log2((ulong)us);
        var sub = (int)(us >> (octave - SubBits)) & ((1 << SubBits) - 1);
        var index = 1 + ((octave - FirstOctave) << SubBits) + sub;
        return index < Count ? index : Count - 1;
    }

    /// <summary>Lower and upper edge of bin <paramref name="index"/>, in seconds.</summary>
    public static (double Low, double High) Edges(int index)
    {
        if (index <= 0)
        {
            return (0, (1L << FirstOctave) / 1e6);
        }
        var octave = FirstOctave + ((index - 1) >> SubBits);
        var sub = (index - 1) & ((1 << SubBits) - 1);
        var step = 1L << (octave - SubBits);
        var low = ((1L << SubBits) + sub) * step;
        return (low / 1e6, (low + step) / 1e6);
    }

    /// <summary>The <paramref name="quantile"/> (0..1) of the counts, interpolated inside its bin; null when empty.</summary>
    public static double? Quantile(ReadOnlySpan<long> counts, long total, double quantile)
    {
        if (total <= 0)
        {
            return null;
        }
        var rank = Math.Max(1, (long)Math.Ceiling(quantile * total));
        long seen = 0;
        for (var i = 0; i < counts.Length; i++)
        {
            var c = counts[i];
            if (c == 0)
            {
                continue;
            }
            if (seen + c >= rank)
            {
                var (low, high) = Edges(i);
                var within = (rank - seen - 0.5) / c;
                return low + (high - low) * within;
            }
            seen += c;
        }
        return Edges(counts.Length - 1).High;
    }
}
