namespace HlsGateway.Recorder.Playlists;

/// <summary>A master (multivariant) playlist: the variants the recorder can choose from.</summary>
internal sealed class MasterPlaylist
{
    public required IReadOnlyList<VariantStream> Variants { get; init; }

    /// <summary>The EXT-X-MEDIA renditions (audio, subtitles, closed captions, video), in playlist order.</summary>
    public IReadOnlyList<Rendition> Renditions { get; init; } = [];

    /// <summary>The renditions of one group and type (e.g. the AUDIO group a variant names).</summary>
    public IEnumerable<Rendition> Group(string type, string? groupId) =>
        groupId is null ? [] : Renditions.Where(r => r.Type == type && r.GroupId == groupId);

    /// <summary>
    /// Picks a variant: "best" (highest bandwidth, default), "lowest", or a bandwidth number (the
    /// variant closest to it). Null when the playlist has no variants.
    /// </summary>
    public VariantStream? Select(string? selector)
    {
        if (Variants.Count == 0)
        {
            return null;
        }
        if (string.IsNullOrWhiteSpace(selector) || selector.Equals("best", StringComparison.OrdinalIgnoreCase))
        {
            return Variants.MaxBy(v => v.Bandwidth);
        }
        if (selector.Equals("lowest", StringComparison.OrdinalIgnoreCase))
        {
            return Variants.MinBy(v => v.Bandwidth);
        }
        if (long.TryParse(selector, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var wanted))
        {
            return Variants.MinBy(v => Math.Abs(v.Bandwidth - wanted));
        }
        return Variants.MaxBy(v => v.Bandwidth);
    }
}
