using System.Text;
using HlsGateway.Recorder.Configuration;
using HlsGateway.Recorder.Lifecycle;
using HlsGateway.Recorder.Pipeline;
using HlsGateway.Recorder.Playlists;

namespace HlsGateway.Recorder.Sources;

/// <summary>The renditions a recording follows with its variant (<see cref="RenditionSelection"/>), driven by the variant's follower.</summary>
internal sealed class RenditionSet
{
    private readonly IReadOnlyList<RenditionFollower> _followers;

    private RenditionSet(IReadOnlyList<RenditionFollower> followers) => _followers = followers;

    /// <summary>Null when the variant names no rendition worth following under <paramref name="options"/>.</summary>
    public static RenditionSet? Create(MasterPlaylist master, VariantStream variant, Uri masterUrl, RenditionOptions options, SegmentFetcher fetcher, IFollowerObserver observer)
    {
        var chosen = RenditionSelection.Select(master, variant, options);
        if (chosen.Count == 0)
        {
            return null;
        }
        var ids = new HashSet<string>(StringComparer.Ordinal);
        var followers = new List<RenditionFollower>();
        foreach (var r in chosen)
        {
            var audio = r.Type == RenditionSelection.Audio;
            var id = (audio ? "audio-" : string.Empty) + Tag(r.Language ?? r.Name);
            for (var n = 2; !ids.Add(id); n++)
            {
                id = (audio ? "audio-" : string.Empty) + Tag(r.Language ?? r.Name) + "-" + n; // two renditions of one language (stereo and 5.1)
            }
            var spec = new TrackSpec(id, r.Type, r.Name, r.Language, r.IsDefault, audio ? ".ts" : ".segments.vtt");
            followers.Add(new RenditionFollower(fetcher, r, new Uri(masterUrl, r.Uri!), spec, observer));
        }
        return new RenditionSet(followers);
    }

    /// <summary>Tells the tee about the renditions' directories too, so segments a player already pulled are not fetched twice.</summary>
    public IDisposable? Watch(RecordingTee? tee, string variantDirectory)
    {
        if (tee is null)
        {
            return null;
        }
        var watches = _followers.Select(f => SegmentFetcher.DirectoryOf(f.PlaylistUrl.AbsolutePath)).Distinct(StringComparer.Ordinal)
            .Where(d => d != variantDirectory).Select(tee.Watch).ToList();
        return new Watches(watches);
    }

    public async Task ReloadAsync(CancellationToken ct)
    {
        foreach (var f in _followers)
        {
            await f.ReloadAsync(ct).ConfigureAwait(false);
        }
    }

    public async Task FeedAsync(RecordingSession session, CancellationToken ct)
    {
        foreach (var f in _followers)
        {
            await f.FeedAsync(session, ct).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// On a graceful stop: the renditions' playlists may be a moment behind the video's (a packager writes them one after
    /// the other), so they are reloaded a few times, half a target duration apart, until each reaches the video's edge.
    /// </summary>
    public async Task CatchUpAsync(RecordingSession session, TimeSpan interval, TimeProvider time, CancellationToken ct)
    {
        for (var attempt = 0; attempt < 3 && session.Edge is { } edge && _followers.Any(f => !f.CaughtUp(edge)); attempt++)
        {
            await Task.Delay(interval, time, ct).ConfigureAwait(false);
            foreach (var f in _followers.Where(f => !f.CaughtUp(edge)))
            {
                await f.ReloadAsync(ct).ConfigureAwait(false);
                await f.FeedAsync(session, ct).ConfigureAwait(false);
            }
        }
    }

    public void Reset()
    {
        foreach (var f in _followers)
        {
            f.Reset();
        }
    }

    public IReadOnlyList<RenditionStatus> Snapshot() => _followers.Select(f => f.Snapshot()).ToList();

    /// <summary>A file-name-safe tag: lower-case letters, digits and '-', at most 32 characters.</summary>
    internal static string Tag(string value)
    {
        var sb = new StringBuilder(value.Length);
        foreach (var c in value.ToLowerInvariant())
        {
            if (sb.Length == 32)
            {
                break;
            }
            sb.Append(c is (>= 'a' and <= 'z') or (>= '0' and <= '9') ? c : '-');
        }
        var tag = sb.ToString().Trim('-');
        return tag.Length == 0 ? "und" : tag;
    }

    private sealed class Watches(List<IDisposable> watches) : IDisposable
    {
        public void Dispose() => watches.ForEach(w => w.Dispose());
    }
}
