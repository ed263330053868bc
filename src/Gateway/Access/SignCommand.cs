using System.Globalization;
using HlsGateway.Proxy;
using Microsoft.Extensions.Options;

namespace HlsGateway.Access;

/// <summary>
/// <c>Gateway sign &lt;path&gt; [--ttl 3600] [--acl /prefix/] [--ip a.b.c.d] [--kid k] [--base http://host:port]</c>:
/// prints an absolute signed URL (host: --base, else <c>Gateway:PublicBaseUrl</c>, else the address the gateway listens on) using the keys the gateway itself would use (appsettings.json, environment,
/// <c>--Gateway:Signing:Keys:k=...</c>). Exit 0 on success, 2 on a usage or configuration error.
/// </summary>
internal static class SignCommand
{
    public const string Usage = "usage: sign <path> [--ttl seconds (3600)] [--acl /prefix/] [--ip address] [--kid key-id] [--base http://host:port]";

    public static int Run(string[] args, TextWriter stdout, TextWriter stderr, TimeProvider time)
    {
        string? path = null, acl = null, ip = null, kid = null, baseUrl = null;
        long ttl = 3600;
        var configArgs = new List<string>();
        for (var i = 0; i < args.Length; i++)
        {
            var arg = args[i];
            string? Next() => i + 1 < args.Length ? args[++i] : null;
            switch (arg)
            {
                case "--ttl":
                    if (!long.TryParse(Next(), NumberStyles.None, CultureInfo.InvariantCulture, out ttl) || ttl is < 1 or > 10L * 366 * 24 * 3600)
                    {
                        return Fail(stderr, "--ttl: expected seconds between 1 and 10 years.");
                    }
                    break;
                case "--acl": acl = Next(); break;
                case "--ip": ip = Next(); break;
                case "--kid": kid = Next(); break;
                case "--base": baseUrl = Next()?.TrimEnd('/'); break;
                case "--urls": configArgs.Add("--urls=" + Next()); break; // as the server's --urls
                case "-h" or "--help":
                    stdout.WriteLine(Usage);
                    return 0;
                default:
                    if (arg.StartsWith("--", StringComparison.Ordinal) && arg.Contains(':'))
                    {
                        configArgs.Add(arg); // --Gateway:Signing:Keys:k1=... overrides, as for the server
                    }
                    else if (path is null && !arg.StartsWith('-'))
                    {
                        path = arg;
                    }
                    else
                    {
                        return Fail(stderr, $"unexpected argument '{arg}'.");
                    }
                    break;
            }
        }
        if (path is null)
        {
            return Fail(stderr, "missing <path>, e.g. /hls/news/live/index.m3u8.");
        }
        if (Uri.TryCreate(path, UriKind.Absolute, out var full) && full.Scheme is "http" or "https")
        {
            baseUrl ??= full.GetLeftPart(UriPartial.Authority);
            path = full.AbsolutePath;
        }
        if (!path.StartsWith('/') || path.Contains('?') || !HlsPathParser.IsSafePath(path.AsSpan(1)))
        {
            return Fail(stderr, $"'{path}' is not a canonical absolute path (no query, dot segments, '//' or encoded separators).");
        }
        if (acl is not null && (!acl.StartsWith('/') || !acl.EndsWith('/') || !path.StartsWith(acl, StringComparison.Ordinal)))
        {
            return Fail(stderr, $"--acl '{acl}' must start and end with '/' and be a prefix of the path.");
        }
        if (ip is not null && !IpKey.TryParse(ip, out _))
        {
            return Fail(stderr, $"--ip '{ip}' is not an IP address.");
        }

        var configuration = new ConfigurationBuilder()
            .AddJsonFile(Path.Combine(AppContext.BaseDirectory, "appsettings.json"), optional: true)
            .AddJsonFile(Path.Combine(AppContext.BaseDirectory, $"appsettings.{Environment.GetEnvironmentVariable("ASPNETCORE_ENVIRONMENT") ?? "Production"}.json"), optional: true)
            .AddEnvironmentVariables()
            .AddCommandLine(configArgs.ToArray())
            .Build();
        AccessSnapshot snapshot;
        try
        {
            snapshot = AccessConfigMonitor.Load(configuration);
        }
        catch (OptionsValidationException ex)
        {
            return Fail(stderr, "configuration error: " + string.Join(" ", ex.Failures));
        }
        if (snapshot.Keys.Count == 0)
        {
            return Fail(stderr, "no signing key configured: set Gateway:Signing:Keys:<kid> to a base64 secret (e.g. Gateway__Signing__Keys__k1=$(openssl rand -base64 32)).");
        }
        if (kid is null)
        {
            if (snapshot.Keys.Count > 1)
            {
                return Fail(stderr, $"several signing keys are configured ({string.Join(", ", snapshot.Keys.Keys.Order(StringComparer.Ordinal))}): choose one with --kid.");
            }
            kid = snapshot.Keys.Keys.First();
        }
        if (!snapshot.TryGetKey(kid, out var key))
        {
            return Fail(stderr, $"Gateway:Signing:Keys:{kid} is not configured.");
        }

        baseUrl ??= configuration["Gateway:PublicBaseUrl"]?.TrimEnd('/') is { Length: > 0 } publicBase ? publicBase : ListeningBase(configuration);
        var exp = time.GetUtcNow().ToUnixTimeSeconds() + ttl;
        stdout.WriteLine(baseUrl + path + "?" + UrlSignature.BuildQuery(key, kid, exp, path, acl, ip));
        return 0;
    }

    /// <summary>
    /// Where the gateway would listen with this configuration: <c>urls</c> / <c>ASPNETCORE_URLS</c>, else the first
    /// <c>Kestrel:Endpoints:*:Url</c>, else Kestrel's default http://localhost:5000; wildcard hosts made reachable.
    /// </summary>
    internal static string ListeningBase(IConfiguration configuration)
    {
        var urls = configuration["urls"] ?? configuration["ASPNETCORE_URLS"];
        var first = urls?.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).FirstOrDefault()
            ?? configuration.GetSection("Kestrel:Endpoints").GetChildren().Select(e => e["Url"]).FirstOrDefault(u => !string.IsNullOrWhiteSpace(u))
            ?? "http://localhost:5000";
        return first.Replace("://0.0.0.0", "://127.0.0.1", StringComparison.Ordinal).Replace("://[::]", "://localhost", StringComparison.Ordinal)
            .Replace("://+", "://localhost", StringComparison.Ordinal).Replace("://*", "://localhost", StringComparison.Ordinal).TrimEnd('/');
    }

    private static int Fail(TextWriter stderr, string message)
    {
        stderr.WriteLine("sign: " + message);
        stderr.WriteLine(Usage);
        return 2;
    }
}
