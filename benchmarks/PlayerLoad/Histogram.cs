namespace HlsGateway.PlayerLoad;

/// <summary>
/// Lock-free log-linear latency histogram (microseconds, 1 µs .. ~70 min): 32 linear sub-buckets per power of
/// two, so any percentile is within 1/32 (3 %) of the true value. Recording is one Interlocked.Increment.
/// </summary>
internal sealed class Histogram
{
    private const int SubBits = 6;
    private const int Sub = 1 << SubBits;
    private readonly long[] _counts = new long[(64 - SubBits + 1) * Sub];
    private long _count;
    private long _max;
    private long _sum;

    public long Count => Interlocked.Read(ref _count);

    public void Record(long micros)
    {
        if (micros < 0)
        {
            micros = 0;
        }
        Interlocked.Increment(ref _counts[Index(micros)]);
        Interlocked.Increment(ref _count);
        Interlocked.Add(ref _sum, micros);
        long max;
        while (micros > (max = Interlocked.Read(ref _max)) && Interlocked.CompareExchange(ref _max, micros, max) != max)
        {
        }
    }

    private static int Index(long v)
    {
        if (v < Sub)
        {
            return (int)v;
        }
        var exp = 64 - (int)long.LeadingZeroCount(v) - SubBits; // how far v must shift to fit in SubBits bits
        return exp * Sub + (int)(v >> exp);
    }

    private static long UpperValue(int index)
    {
        var exp = index / Sub;
        var mantissa = index % Sub;
        return exp == 0 ? mantissa : ((long)(mantissa + 1) << exp) - 1;
    }

    public double Mean => Count == 0 ? 0 : (double)Interlocked.Read(ref _sum) / Count;

    public long Max => Interlocked.Read(ref _max);

    /// <summary>The smallest bucket bound with at least <paramref name="q"/> of the samples at or below it.</summary>
    public long Percentile(double q)
    {
        var total = Count;
        if (total == 0)
        {
            return 0;
        }
        var target = (long)Math.Ceiling(q * total);
        long seen = 0;
        for (var i = 0; i < _counts.Length; i++)
        {
            seen += Interlocked.Read(ref _counts[i]);
            if (seen >= target)
            {
                return Math.Min(UpperValue(i), Max);
            }
        }
        return Max;
    }
}
