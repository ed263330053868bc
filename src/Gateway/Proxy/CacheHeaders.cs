using HlsGateway.Monitor.Metrics;
using Microsoft.Extensions.Primitives;

namespace HlsGateway.Proxy;

/// <summary>Pre-built header values so serving a hit allocates no strings.</summary>
internal static class CacheHeaders
{
    public const string XCache = "X-Cache";
    public static readonly StringValues Hit = new("HIT");
    public static readonly StringValues Miss = new("MISS");
    public static readonly StringValues Stale = new("STALE");
    public static readonly StringValues Bypass = new("BYPASS");
    public static readonly StringValues AcceptRangesBytes = new("bytes");
    public static readonly StringValues NoCache = new("no-cache");

    private static readonly StringValues[] MaxAge = Enumerable.Range(0, 3601).Select(s => new StringValues($"public, max-age={s}")).ToArray();

    /// <summary>The same lifetimes for per-client (signed) responses, which shared caches must not keep.</summary>
    private static readonly StringValues[] PrivateMaxAge = Enumerable.Range(0, 3601).Select(s => new StringValues($"private, max-age={s}")).ToArray();

    public static StringValues For(CacheResult result) => result switch
    {
        CacheResult.Hit => Hit,
        CacheResult.Miss => Miss,
        CacheResult.Stale => Stale,
        _ => Bypass,
    };

    public static StringValues CacheControl(TimeSpan remaining)
    {
        var s = (int)Math.Clamp(remaining.TotalSeconds, 0, MaxAge.Length - 1);
        return MaxAge[s];
    }

    /// <summary>
    /// <paramref name="shared"/> (a value this class built) made private: "public, max-age=N" becomes the pre-built
    /// "private, max-age=N"; anything else (no-cache) is returned as it is.
    /// </summary>
    public static StringValues MakePrivate(StringValues shared)
    {
        var text = shared.ToString();
        const string prefix = "public, max-age=";
        return text.StartsWith(prefix, StringComparison.Ordinal) && int.TryParse(text.AsSpan(prefix.Length), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var s)
            && (uint)s < (uint)PrivateMaxAge.Length ? PrivateMaxAge[s] : shared;
    }
}
