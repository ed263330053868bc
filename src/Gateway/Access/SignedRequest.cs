namespace HlsGateway.Access;

/// <summary>
/// The validated signature parameters of a playlist request (an HttpContext feature), so the playlist
/// rewriter can sign the playlist's children with the same exp, kid and ip. Only created for playlists.
/// </summary>
internal sealed record SignedRequest(long Exp, string ExpText, string Kid, string? Acl, string? Ip);
