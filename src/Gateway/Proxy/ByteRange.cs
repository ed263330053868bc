namespace HlsGateway.Proxy;

internal enum ByteRangeResult
{
    Satisfiable,
    Unsatisfiable,
    Ignore,
}

/// <summary>Parses a single <c>Range: bytes=</c> range (RFC 9110 14.1.2); multi-range is ignored (whole body served).</summary>
internal static class ByteRange
{
    public static ByteRangeResult TryParse(string header, long length, out long from, out long count)
    {
        from = 0;
        count = 0;
        var span = header.AsSpan().Trim();
        if (!span.StartsWith("bytes=", StringComparison.OrdinalIgnoreCase))
        {
            return ByteRangeResult.Ignore;
        }
        span = span[6..].Trim();
        if (span.Contains(','))
        {
            return ByteRangeResult.Ignore;
        }
        var dash = span.IndexOf('-');
        if (dash < 0)
        {
            return ByteRangeResult.Ignore;
        }
        var first = span[..dash].Trim();
        var last = span[(dash + 1)..].Trim();
        if (first.IsEmpty)
        {
            // suffix: last N bytes
            if (!long.TryParse(last, out var suffix) || suffix < 0)
            {
                return ByteRangeResult.Ignore;
            }
            if (suffix == 0 || length == 0)
            {
                return ByteRangeResult.Unsatisfiable;
            }
            count = Math.Min(suffix, length);
            from = length - count;
            return ByteRangeResult.Satisfiable;
        }
        if (!long.TryParse(first, out from) || from < 0)
        {
            return ByteRangeResult.Ignore;
        }
        long end;
        if (last.IsEmpty)
        {
            end = length - 1;
        }
        else if (!long.TryParse(last, out end) || end < from)
        {
            return ByteRangeResult.Ignore;
        }
        if (from >= length)
        {
            return ByteRangeResult.Unsatisfiable;
        }
        end = Math.Min(end, length - 1);
        count = end - from + 1;
        return ByteRangeResult.Satisfiable;
    }
}
