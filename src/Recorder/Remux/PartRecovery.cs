using HlsGateway.Recorder.Pipeline;

namespace HlsGateway.Recorder.Remux;

/// <summary>
/// Start-up repair of what a crash (kill -9, power loss) left: an "open" part is cut back to the
/// bytes the sidecar acknowledged (a half-written segment would otherwise be appended to and break
/// the timeline), then closed so it is remuxed; closed-but-unfinished parts are queued again; stray
/// <c>*.mp4.partial</c> files (remux interrupted) are deleted, so no MP4 without moov survives. A part's rendition
/// track files are cut back the same way.
/// </summary>
internal static class PartRecovery
{
    /// <summary>Repairs <paramref name="journal"/> in place; returns the parts that still need finishing.</summary>
    public static List<int> Recover(RecordingJournal journal, string root, DateTimeOffset now)
    {
        var toFinish = new List<int>();
        root = Path.GetFullPath(root);
        lock (journal.Sync)
        {
            foreach (var part in journal.Parts.ToArray())
            {
                var raw = Path.Combine(root, part.RawPath);
                var partial = Path.ChangeExtension(raw, null) + FfmpegRemuxer.PartialSuffix;
                if (File.Exists(partial))
                {
                    File.Delete(partial);
                }
                switch (part.State)
                {
                    case PartState.Open:
                        if (part.Segments == 0 || part.Bytes == 0 || !File.Exists(raw))
                        {
                            if (File.Exists(raw))
                            {
                                File.Delete(raw);
                            }
                            journal.Parts.Remove(part);
                            continue;
                        }
                        using (var fs = new FileStream(raw, FileMode.Open, FileAccess.Write))
                        {
                            if (fs.Length > part.Bytes)
                            {
                                fs.SetLength(part.Bytes);
                                fs.Flush(flushToDisk: true);
                            }
                        }
                        foreach (var track in part.Tracks)
                        {
                            // rendition files too: cut back to what the sidecar acknowledged
                            var file = Path.Combine(root, track.RawPath);
                            if (File.Exists(file))
                            {
                                using var ts = new FileStream(file, FileMode.Open, FileAccess.Write);
                                if (ts.Length > track.Bytes)
                                {
                                    ts.SetLength(track.Bytes);
                                    ts.Flush(flushToDisk: true);
                                }
                            }
                        }
                        part.State = PartState.Closed;
                        part.CloseReason = "recovered";
                        part.EndUtc ??= now;
                        toFinish.Add(part.Number);
                        break;
                    case PartState.Closed:
                        toFinish.Add(part.Number);
                        break;
                    case PartState.Remuxed when File.Exists(raw) && part.Mp4Path is not null && File.Exists(Path.Combine(root, part.Mp4Path)):
                        File.Delete(raw); // crashed between rename and delete
                        break;
                }
            }
            journal.Save();
        }
        return toFinish;
    }
}
