using Microsoft.Extensions.Options;

namespace HlsGateway.Configuration;

/// <summary>Reports every configuration error at once, each naming its key, so start-up stops with a useful message.</summary>
internal sealed class GatewayOptionsValidator : IValidateOptions<GatewayOptions>
{
    public ValidateOptionsResult Validate(string? name, GatewayOptions options)
    {
        var errors = new List<string>();
        foreach (var (origin, url) in options.Origins)
        {
            var key = $"Gateway:Origins:{origin}";
            if (!OriginName.IsValid(origin))
            {
                errors.Add($"{key}: origin names may contain only letters, digits, '-' and '_'.");
            }
            if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
            {
                errors.Add($"{key}: '{url}' is not an absolute http(s) URL.");
            }
            else if (!string.IsNullOrEmpty(uri.Query) || !string.IsNullOrEmpty(uri.Fragment))
            {
                errors.Add($"{key}: the base URL must not have a query or fragment.");
            }
        }
        foreach (var origin in options.OriginSettings.Keys)
        {
            if (!options.Origins.ContainsKey(origin))
            {
                errors.Add($"Gateway:OriginSettings:{origin}: no origin of that name in Gateway:Origins.");
            }
        }
        foreach (var (origin, settings) in options.OriginSettings)
        {
            if (settings.AllowPrivateAddresses is not null)
            {
                errors.Add($"Gateway:OriginSettings:{origin}:AllowPrivateAddresses: removed (it was never enforced; configured origins may be private or loopback addresses): delete the key.");
            }
            if (!OriginSettings.TryParseForwarding(settings.Forwarding, out _))
            {
                errors.Add($"Gateway:OriginSettings:{origin}:Forwarding: '{settings.Forwarding}' is not Xff, Forwarded or Off.");
            }
            for (var i = 0; i < settings.ForwardQuery.Count; i++)
            {
                var param = settings.ForwardQuery[i]?.Trim() ?? string.Empty;
                if (param.Length == 0 || param.AsSpan().IndexOfAny("=&?#% ") >= 0 || param.Any(char.IsControl)
                    || (param != "*" && param.Contains('*')) || param is "exp" or "kid" or "acl" or "ip" or "sig")
                {
                    errors.Add($"Gateway:OriginSettings:{origin}:ForwardQuery:{i}: '{settings.ForwardQuery[i]}' is not a query parameter name (or '*'; the signature parameters exp, kid, acl, ip, sig are never forwarded).");
                }
            }
            var primary = options.Origins.TryGetValue(origin, out var primaryUrl) && Uri.TryCreate(primaryUrl, UriKind.Absolute, out var primaryUri) ? primaryUri : null;
            var seen = new List<Uri>();
            for (var i = 0; i < settings.Backups.Count; i++)
            {
                var key = $"Gateway:OriginSettings:{origin}:Backups:{i}";
                var backup = settings.Backups[i];
                if (!Uri.TryCreate(backup, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
                {
                    errors.Add($"{key}: '{backup}' is not an absolute http(s) URL.");
                }
                else if (!string.IsNullOrEmpty(uri.Query) || !string.IsNullOrEmpty(uri.Fragment))
                {
                    errors.Add($"{key}: the base URL must not have a query or fragment.");
                }
                else if (SameBase(uri, primary) || seen.Any(s => SameBase(uri, s)))
                {
                    errors.Add($"{key}: '{backup}' repeats the origin's URL or another backup.");
                }
                else
                {
                    seen.Add(uri);
                }
            }
            if (settings.FailoverCooldown < TimeSpan.FromSeconds(1) || settings.FailoverCooldown > TimeSpan.FromHours(1))
            {
                errors.Add($"Gateway:OriginSettings:{origin}:FailoverCooldown: must be between 1 second and 1 hour.");
            }
            for (var i = 0; i < settings.IgnoreHeaders.Count; i++)
            {
                if (!Caching.OriginCacheDirectives.IgnorableHeaders.Contains(settings.IgnoreHeaders[i]?.Trim() ?? string.Empty, StringComparer.OrdinalIgnoreCase))
                {
                    errors.Add($"Gateway:OriginSettings:{origin}:IgnoreHeaders:{i}: '{settings.IgnoreHeaders[i]}' is not one of {string.Join(", ", Caching.OriginCacheDirectives.IgnorableHeaders)}.");
                }
            }
        }

        var p = options.Proxy;
        Positive(errors, "Gateway:Proxy:ConnectTimeout", p.ConnectTimeout);
        Positive(errors, "Gateway:Proxy:RequestTimeout", p.RequestTimeout);
        Positive(errors, "Gateway:Proxy:KeepAlivePingDelay", p.KeepAlivePingDelay);
        Positive(errors, "Gateway:Proxy:PooledConnectionIdleTimeout", p.PooledConnectionIdleTimeout);
        if (p.MaxResponseHeadersKiB is < 1 or > 1024)
        {
            errors.Add("Gateway:Proxy:MaxResponseHeadersKiB: must be between 1 and 1024.");
        }

        var c = options.Cache;
        if (c.SizeLimitBytes < 1024 * 1024)
        {
            errors.Add("Gateway:Cache:SizeLimitBytes: must be at least 1 MB.");
        }
        if (c.MaxEntryBytes < 1024 || c.MaxEntryBytes > c.SizeLimitBytes)
        {
            errors.Add("Gateway:Cache:MaxEntryBytes: must be between 1 KB and Gateway:Cache:SizeLimitBytes.");
        }
        if (c.LivePlaylistFraction is <= 0 or > 1 || double.IsNaN(c.LivePlaylistFraction))
        {
            errors.Add("Gateway:Cache:LivePlaylistFraction: must be in (0, 1] (a live playlist is never cached longer than its target duration).");
        }
        Positive(errors, "Gateway:Cache:VodPlaylistTtl", c.VodPlaylistTtl);
        Positive(errors, "Gateway:Cache:MasterPlaylistTtl", c.MasterPlaylistTtl);
        Positive(errors, "Gateway:Cache:SegmentTtl", c.SegmentTtl);
        NonNegative(errors, "Gateway:Cache:OtherTtl", c.OtherTtl);
        NonNegative(errors, "Gateway:Cache:StaleIfError", c.StaleIfError);
        NonNegative(errors, "Gateway:Cache:StaleWhileRevalidate", c.StaleWhileRevalidate);
        if (c.FillLockWait < TimeSpan.Zero || c.FillLockWait > TimeSpan.FromSeconds(60))
        {
            errors.Add("Gateway:Cache:FillLockWait: must be between 0 (lock off) and 60 seconds.");
        }
        if (c.NotFoundTtl < TimeSpan.Zero || c.NotFoundTtl > TimeSpan.FromSeconds(1))
        {
            errors.Add("Gateway:Cache:NotFoundTtl: must be between 0 and 1 second.");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    private static bool SameBase(Uri a, Uri? b) =>
        b is not null && string.Equals(a.AbsoluteUri.TrimEnd('/'), b.AbsoluteUri.TrimEnd('/'), StringComparison.OrdinalIgnoreCase);

    private static void Positive(List<string> errors, string key, TimeSpan value)
    {
        if (value <= TimeSpan.Zero)
        {
            errors.Add($"{key}: must be a positive duration (e.g. 00:00:08).");
        }
    }

    private static void NonNegative(List<string> errors, string key, TimeSpan value)
    {
        if (value < TimeSpan.Zero)
        {
            errors.Add($"{key}: must not be negative.");
        }
    }
}
