using System.Security.Cryptography;
using System.Text;
using HlsGateway.Access;

namespace HlsGateway.Admin;

/// <summary>Bearer-token check for <c>/admin/*</c>: both sides hashed, compared in constant time (no length or prefix leak).</summary>
internal static class AdminAuth
{
    public enum Result { Ok, Off, Unauthorized }

    public static Result Check(HttpContext context, AccessSnapshot snapshot)
    {
        var expected = snapshot.AdminTokenHash;
        if (expected is null)
        {
            return Result.Off;
        }
        var header = context.Request.Headers.Authorization.ToString();
        if (!header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            return Result.Unauthorized;
        }
        var presented = header.AsSpan(7).Trim();
        Span<byte> hash = stackalloc byte[32];
        var max = Encoding.UTF8.GetMaxByteCount(presented.Length);
        var bytes = max <= 512 ? stackalloc byte[512] : new byte[max];
        var n = Encoding.UTF8.GetBytes(presented, bytes);
        SHA256.HashData(bytes[..n], hash);
        return CryptographicOperations.FixedTimeEquals(hash, expected) ? Result.Ok : Result.Unauthorized;
    }
}
