using HlsGateway.Recorder.Storage;

namespace HlsGateway.Recorder.Pipeline;

/// <summary>
/// The mutable state of one recording that the rules act on: the journal (sidecar), the open part and
/// its file, the duplicate history and the split settings. Used by one recording loop at a time;
/// only <see cref="RequestSplit"/> may be called from other threads.
/// </summary>
internal sealed class RecordingSession : IDisposable
{
    private readonly string _root;
    private readonly string _template;
    private readonly TimeProvider _time;
    private readonly IRecordingObserver _observer;
    private FileStream? _file;
    private readonly Dictionary<string, OpenTrack> _tracks = new(StringComparer.Ordinal);
    // DVR wall time of each video segment of the open part by media sequence: a rendition segment without its own
    // PROGRAM-DATE-TIME is on air with the video segment of its number (how the follower lines them up)
    private readonly Dictionary<long, DateTimeOffset> _videoWalls = [];
    private int _splitRequested;
    private DateTimeOffset? _nextWall;

    public RecordingSession(RecordingJournal journal, string root, string template, double splitSeconds, long splitBytes, TimeProvider time, IRecordingObserver observer)
    {
        Journal = journal;
        _root = Path.GetFullPath(root);
        _template = template;
        SplitSeconds = splitSeconds;
        SplitBytes = splitBytes;
        _time = time;
        _observer = observer;
        if (journal.LastKey is { } last)
        {
            History.Add(last);
        }
    }

    public RecordingJournal Journal { get; }

    public string Name => Journal.Name;

    public SequenceHistory History { get; } = new(4096);

    public double SplitSeconds { get; }

    public long SplitBytes { get; }

    public PartInfo? CurrentPart { get; private set; }

    public SequenceKey? LastKey => Journal.LastKey;

    public long Epoch => Journal.Epoch;

    public long Duplicates { get; set; }

    public long SegmentsWritten { get; private set; }

    public long BytesWritten { get; private set; }

    /// <summary>Where the open part's video starts (first segment) on the variant's timeline; null without an open part.</summary>
    public TimelineMark? PartStart { get; private set; }

    /// <summary>Just past the last video segment written to the open part: renditions are followed up to here.</summary>
    public TimelineMark? Edge { get; private set; }

    /// <summary>The span of the part closed last (rendition segments listed only after it closed are ledgered as late).</summary>
    public (TimelineMark Start, TimelineMark End)? PreviousPart { get; private set; }

    /// <summary>A boundary owed to the next written segment (after a gap the timeline jumps, so a new part starts).</summary>
    public string? PendingPartReason { get; set; }

    /// <summary>The reason of the next sequence-jump gap, once (a lease takeover); null: <see cref="GapReasons.Skipped"/>.</summary>
    public string? PendingGapReason { get; set; }

    public void RequestSplit() => Interlocked.Exchange(ref _splitRequested, 1);

    public bool TakeSplitRequest() => Interlocked.Exchange(ref _splitRequested, 0) == 1;

    /// <summary>The origin's media sequence went backwards (encoder restart): later keys use a new epoch.</summary>
    public void BeginNewEpoch()
    {
        lock (Journal.Sync)
        {
            Journal.Epoch++;
            Journal.Save();
        }
    }

    /// <summary>Marks <paramref name="key"/> as handled without writing (a gap).</summary>
    public void Advance(SequenceKey key)
    {
        lock (Journal.Sync)
        {
            Journal.LastKey = key;
            Journal.Save();
        }
        History.Add(key);
    }

    public void RecordGap(long epoch, long from, long to, double seconds, string reason, string? rendition = null)
    {
        GapEntry entry;
        var started = false;
        lock (Journal.Sync)
        {
            var gaps = Journal.Gaps;
            if (gaps.Count > 0 && gaps[^1] is var prev && prev.Epoch == epoch && prev.To == from - 1 && prev.Reason == reason && prev.Rendition == rendition)
            {
                entry = prev with { To = to, DurationSeconds = prev.DurationSeconds + seconds };
                gaps[^1] = entry;
            }
            else
            {
                entry = new GapEntry(epoch, from, to, seconds, reason, _time.GetUtcNow(), rendition);
                gaps.Add(entry);
                started = true;
            }
            Journal.Save();
        }
        if (started)
        {
            _observer.GapStarted(entry);
        }
        _observer.GapRecorded(entry);
    }

    /// <summary>
    /// This instance takes the recording over from another one that got to <paramref name="discontinuity"/>:<paramref name="media"/>:
    /// continue right after it (what is no longer in the window becomes a <see cref="GapReasons.Takeover"/> gap), unless
    /// this instance's own journal is already further. False when nothing changed.
    /// </summary>
    public bool ContinueAfter(long discontinuity, long media)
    {
        if (LastKey is { } own && own.Media >= media)
        {
            return false;
        }
        Advance(new SequenceKey(Epoch, discontinuity, media));
        PendingGapReason = GapReasons.Takeover;
        PendingPartReason ??= "takeover";
        return true;
    }

    public async ValueTask AppendAsync(SegmentData segment, CancellationToken cancellationToken)
    {
        if (CurrentPart is null)
        {
            Open(segment);
        }
        var part = CurrentPart!;
        var file = _file!;
        long written = 0;
        long initLength = 0;
        if (part.Segments == 0 && !segment.InitBody.IsEmpty)
        {
            // fMP4: the init section (moov) opens every part so each part plays on its own
            await file.WriteAsync(segment.InitBody, cancellationToken).ConfigureAwait(false);
            written += segment.InitBody.Length;
            initLength = segment.InitBody.Length;
        }
        else if (!segment.InitBody.IsEmpty)
        {
            initLength = segment.InitBody.Length;
        }
        await file.WriteAsync(segment.Body, cancellationToken).ConfigureAwait(false);
        written += segment.Body.Length;
        // durable at every segment boundary: a crash loses at most the segment in flight
        file.Flush(flushToDisk: true);
        // DVR: where the segment is and when it was on air (PROGRAM-DATE-TIME, else continuing the part's clock)
        var wall = segment.ProgramDateTime ?? (part.Segments > 0 ? _nextWall : null) ?? part.StartUtc;
        _nextWall = wall + TimeSpan.FromSeconds(segment.Duration);
        _videoWalls[segment.Key.Media] = wall;
        Dvr.DvrSegmentIndex.Append(Dvr.DvrSegmentIndex.PathFor(_root, Name),
            new Dvr.DvrSegment(part.Number, part.Bytes + written - segment.Body.Length, segment.Body.Length, segment.Duration, wall, initLength));

        lock (Journal.Sync)
        {
            part.Add(segment.Key.Media, written, segment.Duration);
            if (segment.EncryptionKey is { Uri: { } keyUri } && !part.KeyUris.Contains(keyUri))
            {
                part.KeyUris.Add(keyUri);
            }
            Journal.LastKey = segment.Key;
            Journal.Save();
        }
        History.Add(segment.Key);
        var segmentWall = segment.Wall ?? segment.ProgramDateTime;
        if (part.Segments == 1)
        {
            PartStart = new TimelineMark(segment.Key.Media, segmentWall);
        }
        Edge = new TimelineMark(segment.Key.Media + 1, segmentWall + TimeSpan.FromSeconds(segment.Duration));
        SegmentsWritten++;
        BytesWritten += written;
        _observer.SegmentWritten(written);
    }

    /// <summary>Closes the open part (if any) and hands it to the observer (remux, record.part).</summary>
    public void ClosePart(string reason)
    {
        var part = CurrentPart;
        if (part is null)
        {
            return;
        }
        _file?.Flush(flushToDisk: true);
        _file?.Dispose();
        _file = null;
        CloseTracks(flush: true);
        _videoWalls.Clear();
        CurrentPart = null;
        if (PartStart is { } from && Edge is { } to)
        {
            PreviousPart = (from, to);
        }
        PartStart = null;
        Edge = null;
        PartInfo snapshot;
        lock (Journal.Sync)
        {
            part.State = PartState.Closed;
            part.EndUtc = _time.GetUtcNow();
            part.CloseReason = reason;
            Journal.Save();
            snapshot = part.Clone();
        }
        _observer.PartClosed(snapshot);
    }

    /// <summary>Lets go of the file without closing the part: what a crash leaves behind (tests, and disposal without stop).</summary>
    public void Abandon()
    {
        _file?.Dispose();
        _file = null;
        CloseTracks(flush: false);
        _videoWalls.Clear();
        CurrentPart = null;
        PartStart = null;
        Edge = null;
    }

    /// <summary>
    /// Appends a rendition segment to the open part's file for <paramref name="track"/> (opened at its first segment,
    /// fMP4 init section first), durably like the video. Caller checked there is an open part.
    /// </summary>
    public async ValueTask AppendTrackAsync(TrackSpec track, SegmentData segment, CancellationToken cancellationToken)
    {
        var part = CurrentPart ?? throw new InvalidOperationException("No open part for a rendition segment.");
        if (!_tracks.TryGetValue(track.Id, out var open))
        {
            open = OpenTrackFile(part, track, segment);
        }
        var (info, file) = (open.Info, open.File);
        long written = 0;
        long initLength = segment.InitBody.Length;
        try
        {
            if (info.Segments == 0 && !segment.InitBody.IsEmpty)
            {
                await file.WriteAsync(segment.InitBody, cancellationToken).ConfigureAwait(false);
                written += segment.InitBody.Length;
            }
            await file.WriteAsync(segment.Body, cancellationToken).ConfigureAwait(false);
            written += segment.Body.Length;
            file.Flush(flushToDisk: true);
        }
        catch (OperationCanceledException)
        {
            // a stop mid-write: back to the acknowledged bytes, so the final catch-up can append the segment whole
            file.SetLength(info.Bytes);
            throw;
        }
        // DVR, as for the video: its own PROGRAM-DATE-TIME, else its video segment's, else the track's clock from the part start
        var wall = segment.ProgramDateTime
            ?? (_videoWalls.TryGetValue(segment.Key.Media, out var video) ? video : (DateTimeOffset?)null)
            ?? open.NextWall ?? part.StartUtc;
        open.NextWall = wall + TimeSpan.FromSeconds(segment.Duration);
        Dvr.DvrSegmentIndex.Append(Dvr.DvrSegmentIndex.PathFor(_root, Name),
            new Dvr.DvrSegment(part.Number, info.Bytes + written - segment.Body.Length, segment.Body.Length, segment.Duration, wall, initLength, info.Id));
        lock (Journal.Sync)
        {
            info.Add(segment.Key.Media, written, segment.Duration);
            Journal.Save();
        }
        BytesWritten += written;
        _observer.SegmentWritten(written);
    }

    private OpenTrack OpenTrackFile(PartInfo part, TrackSpec track, SegmentData segment)
    {
        // next to the part: <part>.<id><ext>, e.g. news/20261207-010000-part001.audio-eng.ts
        var relative = Path.ChangeExtension(part.RawPath, null) + "." + track.Id + track.Extension;
        if (!OutputPathGuard.TryResolve(_root, relative, out var full))
        {
            throw new InvalidOperationException($"Track path '{relative}' is outside the output root.");
        }
        var file = new FileStream(full, FileMode.Create, FileAccess.Write, FileShare.Read, 0, FileOptions.Asynchronous);
        var info = new TrackInfo
        {
            Id = track.Id,
            Type = track.Type,
            Name = track.Name,
            Language = track.Language,
            IsDefault = track.IsDefault,
            RawPath = relative,
            FirstSequence = segment.Key.Media,
            LastSequence = segment.Key.Media,
            InitUri = segment.InitUri,
        };
        lock (Journal.Sync)
        {
            part.Tracks.Add(info);
            Journal.Save();
        }
        var open = new OpenTrack(info, file);
        _tracks[track.Id] = open;
        return open;
    }

    private void CloseTracks(bool flush)
    {
        foreach (var file in _tracks.Values.Select(t => t.File))
        {
            if (flush)
            {
                file.Flush(flushToDisk: true);
            }
            file.Dispose();
        }
        _tracks.Clear();
    }

    public void Dispose() => Abandon();

    private void Open(SegmentData segment)
    {
        var extension = segment.InitUri is null ? ".ts" : ".m4s";
        var start = _time.GetUtcNow();
        for (var attempt = 0; ; attempt++)
        {
            int number;
            lock (Journal.Sync)
            {
                number = Journal.NextPartNumber++;
            }
            var relative = FileNameTemplate.Render(_template, Name, start, number) + extension;
            if (!OutputPathGuard.TryResolve(_root, relative, out var full))
            {
                throw new InvalidOperationException($"Part path '{relative}' is outside the output root.");
            }
            Directory.CreateDirectory(Path.GetDirectoryName(full)!);
            try
            {
                _file = new FileStream(full, FileMode.CreateNew, FileAccess.Write, FileShare.Read, 0, FileOptions.Asynchronous);
            }
            catch (IOException) when (File.Exists(full) && attempt < 100)
            {
                continue; // never overwrite an earlier recording
            }
            var part = new PartInfo
            {
                Number = number,
                RawPath = Path.GetRelativePath(_root, full).Replace('\\', '/'),
                State = PartState.Open,
                StartUtc = start,
                Epoch = segment.Key.Epoch,
                Discontinuity = segment.Key.Discontinuity,
                FirstSequence = segment.Key.Media,
                LastSequence = segment.Key.Media,
                InitUri = segment.InitUri,
                ProgramDateTime = segment.ProgramDateTime,
            };
            PartInfo snapshot;
            lock (Journal.Sync)
            {
                Journal.Parts.Add(part);
                Journal.Save();
                snapshot = part.Clone();
            }
            CurrentPart = part;
            _observer.PartOpened(snapshot);
            return;
        }
    }

    /// <summary>A rendition's track file of the open part, and where its DVR clock is (without PROGRAM-DATE-TIME).</summary>
    private sealed class OpenTrack(TrackInfo info, FileStream file)
    {
        public TrackInfo Info { get; } = info;

        public FileStream File { get; } = file;

        public DateTimeOffset? NextWall { get; set; }
    }
}
