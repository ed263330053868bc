using Microsoft.Extensions.Options;

namespace HlsGateway.Access;

/// <summary>Reports every access-control configuration error at once, each naming its key.</summary>
internal sealed class AccessOptionsValidator : IValidateOptions<AccessOptions>
{
    public const int MinKeyBytes = 16;

    public ValidateOptionsResult Validate(string? name, AccessOptions options)
    {
        var errors = new List<string>();
        Cidrs(errors, "Gateway:Access:Allow", options.Access.Allow);
        Cidrs(errors, "Gateway:Access:TrustedProxies", options.Access.TrustedProxies);

        var s = options.Signing;
        foreach (var (kid, value) in s.Keys)
        {
            var key = $"Gateway:Signing:Keys:{kid}";
            if (!IsValidKid(kid))
            {
                errors.Add($"{key}: key ids may contain only letters, digits, '.', '-' and '_' (at most 64).");
            }
            if (!TryDecodeKey(value, out var bytes))
            {
                errors.Add($"{key}: not valid base64.");
            }
            else if (bytes.Length < MinKeyBytes)
            {
                errors.Add($"{key}: the secret must be at least {MinKeyBytes} bytes (32 recommended: openssl rand -base64 32).");
            }
        }
        if (s.Required && s.Keys.Count == 0)
        {
            errors.Add("Gateway:Signing:Required: signing is required but no key is configured under Gateway:Signing:Keys:<kid>.");
        }
        if (s.ClockSkew < TimeSpan.Zero || s.ClockSkew > TimeSpan.FromHours(1))
        {
            errors.Add("Gateway:Signing:ClockSkew: must be between 00:00:00 and 01:00:00.");
        }

        var token = options.Admin.Token;
        // No minimum length enforced (the monitor's tests and small setups use short tokens); docs recommend 32+ random characters.
        if (!string.IsNullOrEmpty(token) && (token.Trim().Length == 0 || token.Any(char.IsControl)))
        {
            errors.Add("Gateway:Admin:Token: must not be blank or contain control characters (leave it empty to turn the admin API off).");
        }

        Rule(errors, "Gateway:RateLimits:Playlist", options.RateLimits.Playlist);
        Rule(errors, "Gateway:RateLimits:Segment", options.RateLimits.Segment);
        if (options.RateLimits.Shared && string.IsNullOrWhiteSpace(options.Redis))
        {
            errors.Add("Gateway:RateLimits:Shared: shared rate limits need Gateway:Redis (a StackExchange.Redis connection string).");
        }
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    public static bool IsValidKid(ReadOnlySpan<char> kid)
    {
        if (kid.IsEmpty || kid.Length > 64)
        {
            return false;
        }
        foreach (var c in kid)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.'))
            {
                return false;
            }
        }
        return true;
    }

    /// <summary>Standard base64 as the contract says; base64url is accepted too since people paste either.</summary>
    public static bool TryDecodeKey(string? value, out byte[] key)
    {
        key = [];
        if (string.IsNullOrWhiteSpace(value))
        {
            return false;
        }
        value = value.Trim();
        var buffer = new byte[value.Length];
        if (Convert.TryFromBase64String(value, buffer, out var n) ||
            System.Buffers.Text.Base64Url.DecodeFromChars(value, buffer, out _, out n) == System.Buffers.OperationStatus.Done)
        {
            key = buffer[..n];
            return n > 0;
        }
        return false;
    }

    private static void Cidrs(List<string> errors, string key, List<string> values)
    {
        for (var i = 0; i < values.Count; i++)
        {
            if (!Cidr.TryParse(values[i], out _, out var error))
            {
                errors.Add($"{key}:{i}: {error}.");
            }
        }
    }

    private static void Rule(List<string> errors, string key, RateLimitRule rule)
    {
        if (rule.PermitsPerSecond is < 0 or > 1_000_000)
        {
            errors.Add($"{key}:PermitsPerSecond: must be between 0 (off) and 1000000.");
        }
        if (rule.Burst is < 0 or > 1_000_000)
        {
            errors.Add($"{key}:Burst: must be between 0 (= PermitsPerSecond) and 1000000.");
        }
    }
}
