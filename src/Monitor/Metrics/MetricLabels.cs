using System.Collections.Frozen;

namespace HlsGateway.Monitor.Metrics;

/// <summary>Every label value the metrics use comes from these fixed tables (bounded cardinality).</summary>
internal static class MetricLabels
{
    public const int Kinds = 4;
    public const int StatusClasses = 5;
    public const int CacheResults = 5;

    /// <summary>Indexed by <see cref="RouteKind"/>.</summary>
    public static readonly string[] Kind = ["master_playlist", "media_playlist", "segment", "other"];

    /// <summary>Indexed by <see cref="StatusClassIndex"/>.</summary>
    public static readonly string[] StatusClass = ["other", "2xx", "3xx", "4xx", "5xx"];

    /// <summary>Indexed by <see cref="CacheResult"/>.</summary>
    public static readonly string[] Cache = ["none", "hit", "miss", "stale", "bypass"];

    /// <summary>Origin failure reasons the gateway reports; anything else counts as <c>other</c>.</summary>
    public static readonly string[] OriginError = ["connect", "timeout", "status", "truncated", "too_large", "bad_response", "other"];

    /// <summary>Why a request was refused; anything else counts as <c>other</c>.</summary>
    public static readonly string[] DenyReason = ["ip", "signature", "rate", "bad_request", "unknown_origin", "admin_token", "other"];

    /// <summary>Redis commands with their own label; anything else counts as <c>other</c>.</summary>
    public static readonly string[] RedisCommand = ["get", "set", "evict", "ping", "other"];

    public static readonly string[] RedisResult = ["ok", "error"];

    /// <summary>Label for origins beyond <see cref="MonitorOptions.MaxOriginLabels"/>.</summary>
    public const string OverflowOrigin = "_other";

    public static readonly FrozenDictionary<string, int> OriginErrorIndex = ToIndex(OriginError);
    public static readonly FrozenDictionary<string, int> DenyReasonIndex = ToIndex(DenyReason);
    public static readonly FrozenDictionary<string, int> RedisCommandIndex = ToIndex(RedisCommand);

    /// <summary>2xx..5xx to 1..4; anything else (1xx, 0 for an aborted request) to 0.</summary>
    public static int StatusClassIndex(int statusCode)
    {
        var c = (uint)(statusCode / 100) - 1;
        return c is >= 1 and <= 4 ? (int)c : 0;
    }

    /// <summary>Index of <paramref name="value"/> in a label table, or the last (<c>other</c>) slot.</summary>
    public static int IndexOf(FrozenDictionary<string, int> table, string? value, int other) =>
        value is not null && table.TryGetValue(value, out var i) ? i : other;

    private static FrozenDictionary<string, int> ToIndex(string[] values) =>
        values.Select((v, i) => KeyValuePair.Create(v, i)).ToFrozenDictionary(StringComparer.Ordinal);
}
