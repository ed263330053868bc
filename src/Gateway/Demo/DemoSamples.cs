using System.Text.Json;

namespace HlsGateway.Demo;

/// <summary>
/// The committed demo media (samples/, see samples/README.md), read once at start-up from
/// <c>samples/manifest.json</c> and the segment files it lists. The whole set is about 1.3 MB, so
/// every segment is held in memory. Renditions share one segment timeline (same count and
/// durations), so a player can switch between them at any segment.
/// </summary>
internal sealed class DemoSamples
{
    public const string ManifestName = "manifest.json";

    /// <summary>Any two renditions' segment durations may differ by at most this.</summary>
    private static readonly TimeSpan AlignmentTolerance = TimeSpan.FromMilliseconds(1);

    private DemoSamples(DemoRendition[] renditions, TimeSpan[] durations)
    {
        Renditions = renditions;
        Durations = durations;
    }

    /// <summary>Highest bandwidth first: the first one is what <c>live.m3u8</c> serves.</summary>
    public IReadOnlyList<DemoRendition> Renditions { get; }

    /// <summary>Duration of each segment of the loop (shared by all renditions).</summary>
    public IReadOnlyList<TimeSpan> Durations { get; }

    /// <summary>
    /// <c>AppContext.BaseDirectory/samples</c> (the build copies samples/ there), else the first
    /// <c>samples/</c> with a manifest walking up from there (running from a source checkout).
    /// </summary>
    public static string? Locate(string baseDirectory)
    {
        for (var dir = new DirectoryInfo(baseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "samples");
            if (File.Exists(Path.Combine(candidate, ManifestName)))
            {
                return candidate;
            }
        }
        return null;
    }

    /// <summary>Reads and checks the manifest and every segment; throws <see cref="InvalidDataException"/> naming what is wrong.</summary>
    public static async Task<DemoSamples> LoadAsync(string directory, CancellationToken cancellationToken)
    {
        var root = Path.GetFullPath(directory);
        var manifestPath = Path.Combine(root, ManifestName);
        var json = await File.ReadAllBytesAsync(manifestPath, cancellationToken).ConfigureAwait(false);
        using var doc = JsonDocument.Parse(json);
        if (!doc.RootElement.TryGetProperty("renditions", out var list) || list.ValueKind != JsonValueKind.Array || list.GetArrayLength() == 0)
        {
            throw new InvalidDataException($"{manifestPath}: 'renditions' must be a non-empty array.");
        }

        var renditions = new List<DemoRendition>();
        TimeSpan[]? timeline = null;
        foreach (var r in list.EnumerateArray())
        {
            var name = r.GetProperty("name").GetString() ?? string.Empty;
            if (name.Length == 0 || !name.All(char.IsAsciiLetterOrDigit))
            {
                throw new InvalidDataException($"{manifestPath}: rendition name '{name}' must be ASCII letters and digits (it becomes a URL segment).");
            }
            var segments = r.GetProperty("segments");
            var durations = new TimeSpan[segments.GetArrayLength()];
            var data = new byte[durations.Length][];
            var i = 0;
            foreach (var s in segments.EnumerateArray())
            {
                var seconds = s.GetProperty("duration").GetDouble();
                if (!(seconds > 0))
                {
                    throw new InvalidDataException($"{manifestPath}: {name} segment {i} has duration {seconds}.");
                }
                durations[i] = TimeSpan.FromMilliseconds(Math.Round(seconds * 1000));
                var file = Path.GetFullPath(Path.Combine(root, s.GetProperty("uri").GetString() ?? string.Empty));
                if (!file.StartsWith(root + Path.DirectorySeparatorChar, StringComparison.Ordinal))
                {
                    throw new InvalidDataException($"{manifestPath}: {name} segment {i} points outside {root}.");
                }
                data[i] = await File.ReadAllBytesAsync(file, cancellationToken).ConfigureAwait(false);
                if (data[i].Length < 188 || data[i][0] != 0x47)
                {
                    throw new InvalidDataException($"{file} is not an MPEG-TS segment.");
                }
                i++;
            }
            if (durations.Length == 0)
            {
                throw new InvalidDataException($"{manifestPath}: rendition {name} has no segments.");
            }
            if (timeline is null)
            {
                timeline = durations;
            }
            else if (timeline.Length != durations.Length || timeline.Zip(durations).Any(p => (p.First - p.Second).Duration() > AlignmentTolerance))
            {
                throw new InvalidDataException($"{manifestPath}: rendition {name} is not aligned with the others (segment count or durations differ).");
            }
            renditions.Add(new DemoRendition(
                name,
                r.GetProperty("width").GetInt32(),
                r.GetProperty("height").GetInt32(),
                r.GetProperty("codecs").GetString() ?? string.Empty,
                r.GetProperty("frameRate").GetDouble(),
                r.GetProperty("bandwidth").GetInt64(),
                r.GetProperty("averageBandwidth").GetInt64(),
                data));
        }
        if (renditions.Select(r => r.Name).Distinct(StringComparer.OrdinalIgnoreCase).Count() != renditions.Count)
        {
            throw new InvalidDataException($"{manifestPath}: rendition names must be unique.");
        }
        return new DemoSamples([.. renditions.OrderByDescending(r => r.Bandwidth)], timeline!);
    }

    /// <summary>For tests: samples built in memory.</summary>
    internal static DemoSamples Create(IReadOnlyList<DemoRendition> renditions, IReadOnlyList<TimeSpan> durations) =>
        new([.. renditions.OrderByDescending(r => r.Bandwidth)], [.. durations]);
}
