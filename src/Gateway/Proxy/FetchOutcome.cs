using HlsGateway.Caching;

namespace HlsGateway.Proxy;

/// <summary>How an origin fetch ended. Expected failures are values, not exceptions.</summary>
internal enum FetchStatus
{
    /// <summary>A response worth serving (200, or a 4xx passed on): <see cref="FetchOutcome.Entry"/> is set.</summary>
    Ok,
    /// <summary>Body larger than the cache's entry limit: stream it through instead.</summary>
    TooLarge,
    /// <summary>Could not connect / DNS / TLS / connection reset before headers.</summary>
    Unreachable,
    /// <summary>No complete response within the request timeout.</summary>
    Timeout,
    /// <summary>5xx, a redirect, a malformed playlist, or a body shorter than announced.</summary>
    BadResponse,
}

internal sealed record FetchOutcome(FetchStatus Status, CacheEntry? Entry, int OriginStatus, string Reason)
{
    /// <summary>True when the outcome came from this fetch's cache lookup in the shared tier rather than the origin.</summary>
    public bool FromSharedCache { get; init; }

    /// <summary>With <see cref="FetchStatus.TooLarge"/>: the origin response, still open, for the request that started the fill.</summary>
    public OpenResponse? Handoff { get; init; }

    /// <summary>
    /// Set when the origin said this response must not be kept by a shared cache (<c>no-store</c>, <c>private</c>,
    /// <c>set-cookie</c>): it is served to the one request that fetched it (X-Cache: BYPASS) and stored in no tier.
    /// </summary>
    public string? NoStoreReason { get; init; }

    /// <summary>Cache-Control for the client when <see cref="NoStoreReason"/> is set (the origin's own, or private).</summary>
    public string? ClientCacheControl { get; init; }

    /// <summary>The origin answered 304 to a conditional GET: <see cref="Entry"/> is the cached body, renewed.</summary>
    public bool Revalidated { get; init; }
}
