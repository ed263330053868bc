using System.Text.Json;
using System.Text.Json.Serialization;

namespace HlsGateway.Recorder.Pipeline;

/// <summary>
/// The per-recording JSON sidecar (<c>&lt;root&gt;/.recorder/&lt;name&gt;.json</c>): parts, gap ledger
/// and the last recorded sequence, so a restart resumes without duplicates and finishes open parts.
/// Saved atomically (temp file, fsync, rename) after every segment; all access goes through
/// <see cref="Sync"/> because the recording loop and the remux worker both update it.
/// </summary>
internal sealed class RecordingJournal
{
    private static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        WriteIndented = true,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase) },
    };

    [JsonIgnore]
    public object Sync { get; } = new();

    [JsonIgnore]
    public string FilePath { get; private set; } = string.Empty;

    public string Name { get; set; } = string.Empty;

    public string Url { get; set; } = string.Empty;

    public long Epoch { get; set; }

    /// <summary>The last sequence written or recorded as a gap; null before the first segment.</summary>
    public SequenceKey? LastKey { get; set; }

    public int NextPartNumber { get; set; } = 1;

    public List<PartInfo> Parts { get; set; } = [];

    public List<GapEntry> Gaps { get; set; } = [];

    public static string PathFor(string root, string name) => Path.Combine(Path.GetFullPath(root), ".recorder", name + ".json");

    /// <summary>Loads the sidecar, or a new journal when there is none (or it is unreadable: then it is set aside, not lost).</summary>
    public static RecordingJournal LoadOrCreate(string root, string name, string url)
    {
        var path = PathFor(root, name);
        RecordingJournal? journal = null;
        if (File.Exists(path))
        {
            try
            {
                journal = JsonSerializer.Deserialize<RecordingJournal>(File.ReadAllBytes(path), Json);
            }
            catch (JsonException)
            {
                File.Move(path, path + ".corrupt", overwrite: true);
            }
        }
        journal ??= new RecordingJournal { Name = name, Url = url };
        journal.FilePath = path;
        return journal;
    }

    /// <summary>All sidecars under the root (for crash recovery at start-up).</summary>
    public static IEnumerable<string> ExistingNames(string root)
    {
        var dir = Path.Combine(Path.GetFullPath(root), ".recorder");
        return Directory.Exists(dir)
            ? Directory.EnumerateFiles(dir, "*.json").Select(f => Path.GetFileNameWithoutExtension(f)!)
            : [];
    }

    /// <summary>Writes the sidecar atomically. Caller holds <see cref="Sync"/>.</summary>
    public void Save()
    {
        Directory.CreateDirectory(Path.GetDirectoryName(FilePath)!);
        var temp = FilePath + ".tmp";
        var bytes = JsonSerializer.SerializeToUtf8Bytes(this, Json);
        using (var fs = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None, 4096, FileOptions.None))
        {
            fs.Write(bytes);
            fs.Flush(flushToDisk: true);
        }
        File.Move(temp, FilePath, overwrite: true);
    }

    /// <summary>A copy for snapshots (status, events) taken under the lock.</summary>
    public (List<PartInfo> Parts, List<GapEntry> Gaps, SequenceKey? Last) Snapshot()
    {
        lock (Sync)
        {
            return (Parts.Select(p => p.Clone()).ToList(), [.. Gaps], LastKey);
        }
    }
}
