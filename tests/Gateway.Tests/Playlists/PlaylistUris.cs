namespace HlsGateway.Tests.Playlists;

/// <summary>Test helper: every URI in a playlist (URI lines and URI-like quoted attributes), in order.</summary>
internal static class PlaylistUris
{
    /// <summary>What a player requests for <paramref name="uri"/> found in the playlist at <paramref name="playlistTarget"/> (path + query).</summary>
    public static string Resolve(string playlistTarget, string uri) =>
        new Uri(new Uri(new Uri("http://gateway"), playlistTarget), uri).PathAndQuery;

    public static IEnumerable<string> Extract(string playlist)
    {
        foreach (var raw in playlist.Split('\n'))
        {
            var line = raw.Trim();
            if (line.Length == 0)
            {
                continue;
            }
            if (line[0] != '#')
            {
                yield return line;
                continue;
            }
            foreach (var attr in new[] { "URI=\"", "X-ASSET-URI=\"" })
            {
                var i = 0;
                while ((i = line.IndexOf(attr, i, StringComparison.Ordinal)) >= 0)
                {
                    if (i > 0 && line[i - 1] != ',' && line[i - 1] != ':')
                    {
                        i += attr.Length;
                        continue;
                    }
                    var start = i + attr.Length;
                    var end = line.IndexOf('"', start);
                    if (end < 0)
                    {
                        break;
                    }
                    yield return line[start..end];
                    i = end;
                }
            }
        }
    }
}
