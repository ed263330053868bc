using System.Text.Json;
using System.Text.Json.Serialization;

namespace HlsGateway.Recorder.Uploads;

/// <summary>
/// The persisted queue: <c>&lt;output root&gt;/.uploads/queue.json</c>, rewritten atomically (temp file, fsync,
/// rename) on every change, so a crash leaves either the old or the new journal, never half of one.
/// </summary>
internal sealed class UploadJournal
{
    private static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase) },
    };

    public UploadJournal(string outputRoot)
    {
        Directory = System.IO.Path.Combine(System.IO.Path.GetFullPath(outputRoot), ".uploads");
        Path = System.IO.Path.Combine(Directory, "queue.json");
    }

    public string Directory { get; }

    public string Path { get; }

    public List<UploadItem> Load()
    {
        if (!File.Exists(Path))
        {
            return [];
        }
        using var stream = File.OpenRead(Path);
        return JsonSerializer.Deserialize<List<UploadItem>>(stream, Json) ?? [];
    }

    /// <summary>Writes <paramref name="items"/> (caller holds the queue lock so writes never interleave).</summary>
    public void Save(IReadOnlyList<UploadItem> items)
    {
        System.IO.Directory.CreateDirectory(Directory);
        var temp = Path + ".tmp";
        using (var stream = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None))
        {
            JsonSerializer.Serialize(stream, items, Json);
            stream.Flush(flushToDisk: true);
        }
        File.Move(temp, Path, overwrite: true);
    }
}
