namespace HlsGateway.Caching;

/// <summary>What the cache needs to know about a playlist body.</summary>
internal readonly record struct PlaylistInfo(bool IsValid, bool IsMaster, bool IsEndList, double TargetDurationSeconds, long MediaSequence);

/// <summary>
/// One forward pass over an m3u8 body (bytes, no string per line): is it a playlist at all, is it a
/// master (multivariant) playlist, has it ended (VOD), and its EXT-X-TARGETDURATION.
/// </summary>
internal static class PlaylistInspector
{
    public static PlaylistInfo Inspect(ReadOnlySpan<byte> body)
    {
        // RFC 8216 4.3.1.1: the first line must be #EXTM3U (a UTF-8 BOM is tolerated).
        if (body.StartsWith("\uFEFF"u8))
        {
            body = body[3..];
        }
        if (!body.StartsWith("#EXTM3U"u8))
        {
            return default;
        }
        bool master = false, endList = false;
        double target = 0;
        long sequence = 0;
        while (!body.IsEmpty)
        {
            var nl = body.IndexOf((byte)'\n');
            var line = nl < 0 ? body : body[..nl];
            body = nl < 0 ? default : body[(nl + 1)..];
            if (line.IsEmpty || line[0] != (byte)'#')
            {
                continue;
            }
            if (line.StartsWith("#EXT-X-STREAM-INF"u8) || line.StartsWith("#EXT-X-I-FRAME-STREAM-INF"u8) || line.StartsWith("#EXT-X-MEDIA:"u8))
            {
                master = true;
            }
            else if (line.StartsWith("#EXT-X-ENDLIST"u8) || line.StartsWith("#EXT-X-PLAYLIST-TYPE:VOD"u8))
            {
                endList = true;
            }
            else if (line.StartsWith("#EXT-X-TARGETDURATION:"u8))
            {
                _ = double.TryParse(System.Text.Encoding.ASCII.GetString(line["#EXT-X-TARGETDURATION:"u8.Length..]).Trim(),
                    System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out target);
            }
            else if (line.StartsWith("#EXT-X-MEDIA-SEQUENCE:"u8))
            {
                _ = long.TryParse(System.Text.Encoding.ASCII.GetString(line["#EXT-X-MEDIA-SEQUENCE:"u8.Length..]).Trim(),
                    System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out sequence);
            }
        }
        return new PlaylistInfo(true, master, endList, target, sequence);
    }
}
