using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace HlsGateway.Monitor.Page;

/// <summary>
/// Optional protection of /monitor and /stats with the admin token (<c>Monitor:RequireAdminToken</c>):
/// <c>Authorization: Bearer &lt;token&gt;</c> or <c>?token=</c> (so the page can be bookmarked), compared in
/// constant time. Off by default: the IP allowlist in front may be protection enough.
/// </summary>
internal sealed class MonitorAccess(IOptionsMonitor<MonitorOptions> options, IConfiguration configuration)
{
    public const string AdminTokenKey = "Gateway:Admin:Token";

    public bool IsAllowed(HttpContext context)
    {
        if (!options.CurrentValue.RequireAdminToken)
        {
            return true;
        }
        var expected = configuration[AdminTokenKey];
        if (string.IsNullOrEmpty(expected))
        {
            return false; // token removed by a reload: closed rather than open
        }
        var presented = Presented(context);
        return presented is not null && CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(presented), Encoding.UTF8.GetBytes(expected));
    }

    public static Task DenyAsync(HttpContext context)
    {
        context.Response.Headers.WWWAuthenticate = "Bearer";
        return Results.Problem(statusCode: StatusCodes.Status401Unauthorized, title: "Admin token required",
            detail: "Send the admin token as 'Authorization: Bearer <token>' or '?token='.").ExecuteAsync(context);
    }

    private static string? Presented(HttpContext context)
    {
        var header = context.Request.Headers.Authorization.ToString();
        if (header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            return header["Bearer ".Length..].Trim();
        }
        var query = context.Request.Query["token"];
        return query.Count == 1 ? query[0] : null;
    }
}
