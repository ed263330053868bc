namespace HlsGateway.Hls;

public enum M3u8WriteMode
{
    /// <summary>Every byte that is not a URI is kept: BOM, spaces, blank lines, each line's own line break.</summary>
    Verbatim,

    /// <summary>
    /// For output to players: no BOM, every line break written as LF (so a lone CR or U+2028 cannot make two players,
    /// or a player and us, see different lines), blank lines empty, URI lines and EXT-X tags with a value trimmed of
    /// spaces and tabs; other lines (comments, #EXTINF, valueless tags) are kept as they are.
    /// </summary>
    Normalized,
}
