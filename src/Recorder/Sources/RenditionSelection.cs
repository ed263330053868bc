using HlsGateway.Recorder.Configuration;
using HlsGateway.Recorder.Playlists;

namespace HlsGateway.Recorder.Sources;

/// <summary>
/// Which EXT-X-MEDIA renditions of the chosen variant's groups are followed. Only renditions with a URI have a
/// playlist of their own; one without is carried in the variant's own segments (RFC 8216 4.3.4.2.1) and needs nothing.
/// </summary>
internal static class RenditionSelection
{
    public const string Audio = "AUDIO";
    public const string Subtitles = "SUBTITLES";

    public static IReadOnlyList<Rendition> Select(MasterPlaylist master, VariantStream variant, RenditionOptions options)
    {
        var chosen = new List<Rendition>();
        var audio = master.Group(Audio, variant.AudioGroup).ToList();
        if (options.Audio == AudioRenditions.All)
        {
            chosen.AddRange(audio.Where(r => r.Uri is not null));
        }
        else if (options.Audio == AudioRenditions.Default && audio.Count > 0)
        {
            // the default one, else the first; when that one is in the variant's own segments there is nothing to follow
            var pick = audio.FirstOrDefault(r => r.IsDefault) ?? audio[0];
            if (pick.Uri is not null)
            {
                chosen.Add(pick);
            }
        }
        if (options.Subtitles == SubtitleRenditions.Sidecar)
        {
            chosen.AddRange(master.Group(Subtitles, variant.SubtitlesGroup).Where(r => r.Uri is not null));
        }
        return chosen;
    }
}
