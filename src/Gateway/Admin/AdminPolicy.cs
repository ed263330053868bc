using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using HlsGateway.Access;
using HlsGateway.Monitor;
using HlsGateway.Monitor.Metrics;
using HlsGateway.Problems;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.Extensions.Options;

namespace HlsGateway.Admin;

/// <summary>
/// The one admin policy, applied by <see cref="GatewayApp"/> to every admin route (allowlist, recordings, uploads,
/// purge) and to /monitor and /stats. Built on ASP.NET Core authentication/authorization rather than a check per
/// endpoint: an <see cref="AdminTokenHandler"/> scheme compares the bearer token against
/// <c>Gateway:Admin:Token</c> from the current <see cref="AccessConfigMonitor"/> snapshot, so a reloaded token takes
/// effect on every route at the same moment. Media requests never reach it (the proxy answers them before routing).
/// </summary>
internal static class AdminPolicy
{
    public const string Scheme = "AdminToken";

    /// <summary>Every <c>/admin/*</c> route: <c>Authorization: Bearer</c> only (a token in a query string ends up in logs).</summary>
    public const string Admin = "Admin";

    /// <summary>/monitor and /stats: open unless <c>Monitor:RequireAdminToken</c>; then the admin token (header, or
    /// <c>?token=</c> on GET so the page can be bookmarked: reading them changes nothing).</summary>
    public const string Monitor = "Monitor";

    public static IServiceCollection AddAdminPolicy(this IServiceCollection services)
    {
        // no default scheme: only endpoints carrying one of the policies authenticate
        services.AddAuthentication().AddScheme<AuthenticationSchemeOptions, AdminTokenHandler>(Scheme, configureOptions: null);
        services.AddAuthorizationBuilder()
            .AddPolicy(Admin, p => p.AddAuthenticationSchemes(Scheme).RequireAuthenticatedUser())
            .AddPolicy(Monitor, p => p.AddAuthenticationSchemes(Scheme).AddRequirements(MonitorAccessRequirement.Instance));
        services.AddSingleton<IAuthorizationHandler, MonitorAccessHandler>();
        return services;
    }

    public static TBuilder RequireAdmin<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder =>
        builder.RequireAuthorization(Admin);

    public static TBuilder RequireMonitorAccess<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder =>
        builder.RequireAuthorization(Monitor).WithMetadata(QueryTokenAllowed.Instance);

    /// <summary>Endpoint metadata: <c>?token=</c> is accepted on GET/HEAD (read-only pages only).</summary>
    internal sealed class QueryTokenAllowed
    {
        public static readonly QueryTokenAllowed Instance = new();
    }

    internal sealed class MonitorAccessRequirement : IAuthorizationRequirement
    {
        public static readonly MonitorAccessRequirement Instance = new();
    }

    /// <summary>Reads <c>Monitor:RequireAdminToken</c> per request, so flipping it by reload needs no restart.</summary>
    internal sealed class MonitorAccessHandler(IOptionsMonitor<MonitorOptions> options) : AuthorizationHandler<MonitorAccessRequirement>
    {
        protected override Task HandleRequirementAsync(AuthorizationHandlerContext context, MonitorAccessRequirement requirement)
        {
            if (!options.CurrentValue.RequireAdminToken || context.User.Identity?.AuthenticationType == Scheme)
            {
                context.Succeed(requirement);
            }
            return Task.CompletedTask;
        }
    }
}

/// <summary>
/// Authenticates the admin bearer token. Both sides are SHA-256 hashed and compared in constant time (no length
/// or prefix leak); both are trimmed. Challenges answer problem JSON: 404 on <c>/admin/*</c> while no token is
/// configured (the admin API is off), else 401 with <c>WWW-Authenticate: Bearer</c>, a log line and a metric.
/// </summary>
internal sealed partial class AdminTokenHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory loggerFactory,
    UrlEncoder encoder,
    AccessConfigMonitor access,
    IGatewayMetrics metrics)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, loggerFactory, encoder)
{
    private static readonly ClaimsPrincipal AdminPrincipal = new(new ClaimsIdentity([new Claim(ClaimTypes.Name, "admin")], AdminPolicy.Scheme));

    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var expected = access.Current.AdminTokenHash;
        if (expected is null)
        {
            return Task.FromResult(AuthenticateResult.NoResult());
        }
        ReadOnlySpan<char> presented;
        var header = Request.Headers.Authorization.ToString();
        if (header.Length > 0)
        {
            if (!header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
            {
                return Task.FromResult(AuthenticateResult.Fail("the Authorization header is not a Bearer token"));
            }
            presented = header.AsSpan(7);
        }
        else if (Request.Query.TryGetValue("token", out var query))
        {
            var allowed = (HttpMethods.IsGet(Request.Method) || HttpMethods.IsHead(Request.Method))
                && Context.GetEndpoint()?.Metadata.GetMetadata<AdminPolicy.QueryTokenAllowed>() is not null;
            if (!allowed)
            {
                return Task.FromResult(AuthenticateResult.Fail("a token in the query string is not accepted here"));
            }
            if (query.Count != 1)
            {
                return Task.FromResult(AuthenticateResult.Fail("more than one token parameter"));
            }
            presented = query[0].AsSpan();
        }
        else
        {
            return Task.FromResult(AuthenticateResult.NoResult());
        }
        return Task.FromResult(Matches(presented, expected)
            ? AuthenticateResult.Success(new AuthenticationTicket(AdminPrincipal, AdminPolicy.Scheme))
            : AuthenticateResult.Fail("wrong token"));
    }

    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        var client = Context.Connection.RemoteIpAddress?.ToString() ?? "-";
        if (access.Current.AdminTokenHash is null && Request.Path.StartsWithSegments("/admin", StringComparison.OrdinalIgnoreCase))
        {
            Log.AdminOff(Logger, Request.Path.Value ?? "", client);
            await ProblemWriter.WriteAsync(Context, StatusCodes.Status404NotFound, "Not found", "The admin API is off (no Gateway:Admin:Token).").ConfigureAwait(false);
            return;
        }
        var result = await HandleAuthenticateOnceSafeAsync().ConfigureAwait(false);
        var reason = result.Failure?.Message ?? "no token sent";
        Log.Unauthorized(Logger, Request.Method, Request.Path.Value ?? "", client, reason);
        metrics.RequestDenied("admin_token");
        await ProblemWriter.WriteAsync(Context, StatusCodes.Status401Unauthorized, "Unauthorized",
            $"A valid admin token is required ({reason}): send 'Authorization: Bearer <Gateway:Admin:Token>'.",
            header: ("WWW-Authenticate", "Bearer")).ConfigureAwait(false);
    }

    /// <summary>SHA-256 of the trimmed presented token compared in constant time with the configured hash.</summary>
    internal static bool Matches(ReadOnlySpan<char> presented, byte[] expectedHash)
    {
        presented = presented.Trim();
        Span<byte> hash = stackalloc byte[32];
        var max = Encoding.UTF8.GetMaxByteCount(presented.Length);
        var bytes = max <= 512 ? stackalloc byte[512] : new byte[max];
        var n = Encoding.UTF8.GetBytes(presented, bytes);
        SHA256.HashData(bytes[..n], hash);
        return CryptographicOperations.FixedTimeEquals(hash, expectedHash);
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 3203, EventName = "AdminUnauthorized", Level = LogLevel.Warning, Message = "Refused {Method} {Path} from {Client}: {Reason}.")]
        public static partial void Unauthorized(ILogger logger, string method, string path, string client, string reason);

        [LoggerMessage(EventId = 8401, EventName = "AdminApiOff", Level = LogLevel.Debug, Message = "Admin request {Path} from {Client} answered 404: no Gateway:Admin:Token is configured.")]
        public static partial void AdminOff(ILogger logger, string path, string client);
    }
}
