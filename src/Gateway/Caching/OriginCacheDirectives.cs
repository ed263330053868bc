using HlsGateway.Configuration;

namespace HlsGateway.Caching;

/// <summary>
/// What an origin response says about shared caching (RFC 9111), as far as the gateway uses it:
/// <c>no-store</c>, <c>private</c> or a <c>Set-Cookie</c> keep it out of both tiers (<see cref="NoStoreReason"/>);
/// <c>s-maxage</c>, else <c>max-age</c>, else <c>Expires</c> minus <c>Date</c>, less <c>Age</c>, is the origin's
/// lifetime (<see cref="Lifetime"/>; <c>no-cache</c> is a lifetime of 0). Headers named in
/// <see cref="OriginSettings.IgnoreHeaders"/> are not looked at, as nginx <c>proxy_ignore_headers</c>.
/// </summary>
internal readonly record struct OriginCacheDirectives(string? NoStoreReason, TimeSpan? Lifetime, string? ClientCacheControl)
{
    /// <summary>The header names <see cref="OriginSettings.IgnoreHeaders"/> accepts.</summary>
    public static readonly string[] IgnorableHeaders = ["Cache-Control", "Expires", "Set-Cookie"];

    /// <summary>Cache-Control sent to clients for a response that was not storable and came without one.</summary>
    public const string DefaultPrivateCacheControl = "private, no-cache";

    public bool IsStorable => NoStoreReason is null;

    public static OriginCacheDirectives Read(HttpResponseMessage response, OriginSettings? settings, DateTimeOffset now)
    {
        var ignore = settings?.IgnoreHeaders;
        var useCacheControl = !Ignored(ignore, "Cache-Control");
        var useExpires = !Ignored(ignore, "Expires");
        var useSetCookie = !Ignored(ignore, "Set-Cookie");

        string? noStore = null;
        TimeSpan? lifetime = null;
        string? clientCacheControl = null;
        var cc = useCacheControl ? response.Headers.CacheControl : null;
        if (useCacheControl && response.Headers.TryGetValues("Cache-Control", out var raw))
        {
            clientCacheControl = string.Join(", ", raw);
        }
        if (cc is not null)
        {
            if (cc.NoStore)
            {
                noStore = "no-store";
            }
            else if (cc.Private)
            {
                noStore = "private";
            }
            if (cc.NoCache)
            {
                lifetime = TimeSpan.Zero; // stored only to be revalidated before every use
            }
            else if (cc.SharedMaxAge is { } sMaxAge)
            {
                lifetime = sMaxAge;
            }
            else if (cc.MaxAge is { } maxAge)
            {
                lifetime = maxAge;
            }
        }
        else if (clientCacheControl is not null && clientCacheControl.Contains("no-store", StringComparison.OrdinalIgnoreCase))
        {
            noStore = "no-store"; // an unparsable Cache-Control that still says no-store: be safe
        }
        if (noStore is null && useSetCookie && response.Headers.Contains("Set-Cookie"))
        {
            noStore = "set-cookie";
        }
        if (lifetime is null && useExpires && response.Content.Headers.TryGetValues("Expires", out _))
        {
            // RFC 9111 5.3: an invalid Expires (e.g. "0") means already expired
            var expires = response.Content.Headers.Expires;
            var date = response.Headers.Date ?? now;
            lifetime = expires is { } e && e > date ? e - date : TimeSpan.Zero;
        }
        if (lifetime is { } l && response.Headers.Age is { } age)
        {
            lifetime = l > age ? l - age : TimeSpan.Zero;
        }
        return new OriginCacheDirectives(noStore, lifetime, noStore is null ? null : clientCacheControl ?? DefaultPrivateCacheControl);
    }

    /// <summary>The TTL to use: the HLS rule, shortened by the origin's lifetime (or replaced by it for a trusted origin's 200).</summary>
    public TimeSpan Apply(TimeSpan hlsTtl, int status, OriginSettings? settings)
    {
        if (Lifetime is not { } origin)
        {
            return hlsTtl;
        }
        if (settings?.TrustOriginTtl == true && status == 200)
        {
            return origin;
        }
        return origin < hlsTtl ? origin : hlsTtl;
    }

    private static bool Ignored(List<string>? ignore, string header)
    {
        if (ignore is null)
        {
            return false;
        }
        foreach (var name in ignore)
        {
            if (string.Equals(name?.Trim(), header, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }
        return false;
    }
}
