using HlsGateway.Monitor.Stats;
using HlsGateway.Monitor.Traffic;
using Microsoft.Extensions.Options;
using Prometheus;

namespace HlsGateway.Monitor.Metrics;

/// <summary>
/// prometheus-net implementation of the gateway's and recorder's metric seams, plus the in-process
/// sliding window behind /stats. Label children are created once per label combination and cached
/// in arrays indexed by the enum values, so a request costs a few array reads and interlocked adds:
/// no label strings are built and no dictionary is consulted on the hot path.
/// </summary>
internal sealed class PrometheusGatewayMetrics : IGatewayMetrics, IRecorderMetrics
{
    /// <summary>Seed targets are 100 ms (playlists) and 500 ms (segments); buckets resolve both.</summary>
    internal static readonly double[] DurationBuckets = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

    internal static readonly double[] RedisBuckets = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1];

    /// <summary>Label values of <c>hlsgw_fill_lock_total</c>; anything else counts as the last one.</summary>
    private static readonly string[] FillLockOutcomes = ["acquired", "peer_filled", "fallback", "unavailable"];

    private const int Combos = MetricLabels.Kinds * MetricLabels.StatusClasses * MetricLabels.CacheResults;

    private readonly RequestWindow _window;
    private readonly Counter _requests;
    private readonly Histogram _requestDuration;
    private readonly Counter _bytesServed;
    private readonly Histogram _originDuration;
    private readonly Counter _originErrors;
    private readonly Counter _bytesFetched;
    private readonly Counter _collapsed;
    private readonly Counter.Child[] _denied;
    private readonly Gauge _cacheEntries;
    private readonly Gauge _cacheBytes;
    private readonly Histogram.Child[] _redisDuration;
    private readonly Gauge _redisConnected;
    private readonly Counter.Child[] _fillLock;
    private readonly Counter _revalidations;
    private readonly Counter _purges;
    private readonly Counter _backgroundRefreshes;
    private readonly Counter _purgedEntries;
    private readonly Gauge _originUp;
    private readonly Gauge _originProbeSeconds;
    private readonly Counter _failovers;
    private readonly Counter _recorderSegments;
    private readonly Counter _recorderBytes;
    private readonly Counter _recorderGaps;
    private readonly Counter _uploadBytes;
    private readonly Counter _uploadFailures;
    private readonly Gauge _uploadQueue;
    private readonly Gauge _activeRecordings;
    private readonly OriginLabelTable<OriginSlot> _origins;

    public PrometheusGatewayMetrics(MetricsRegistry registry, RequestWindow window, TrafficCounters traffic, ViewerTracker viewers, IOptions<MonitorOptions> options, IOriginUrlSource? originUrls = null, IIoBufferSource? ioBuffers = null)
    {
        _window = window;
        var f = registry.Factory;
        var noExemplars = ExemplarBehavior.NoExemplars();
        CounterConfiguration C(params string[] labels) => new() { LabelNames = labels, ExemplarBehavior = noExemplars };
        HistogramConfiguration H(double[] buckets, params string[] labels) => new() { LabelNames = labels, Buckets = buckets, ExemplarBehavior = noExemplars };

        _requests = f.CreateCounter("hlsgw_requests_total", "Proxied HLS requests by route kind, origin, status class and cache result.", C("kind", "origin", "status", "cache"));
        _requestDuration = f.CreateHistogram("hlsgw_request_duration_seconds", "Time to answer a proxied HLS request.", H(DurationBuckets, "kind", "origin", "status", "cache"));
        _bytesServed = f.CreateCounter("hlsgw_response_bytes_total", "Body bytes served to clients.", C("kind", "origin"));
        _originDuration = f.CreateHistogram("hlsgw_origin_fetch_duration_seconds", "Time of one origin request including its body.", H(DurationBuckets, "kind", "origin"));
        _originErrors = f.CreateCounter("hlsgw_origin_errors_total", "Failed origin requests by reason.", C("origin", "reason"));
        _bytesFetched = f.CreateCounter("hlsgw_origin_bytes_total", "Body bytes fetched from origins.", C("origin"));
        _collapsed = f.CreateCounter("hlsgw_collapsed_requests_total", "Requests that waited on another request's origin fetch.", C("origin"));
        var denied = f.CreateCounter("hlsgw_denied_requests_total", "Requests refused before the cache, by reason.", C("reason"));
        _denied = MetricLabels.DenyReason.Select(r => denied.WithLabels(r)).ToArray();
        _cacheEntries = f.CreateGauge("hlsgw_cache_entries", "Entries in the in-memory cache.");
        _cacheBytes = f.CreateGauge("hlsgw_cache_bytes", "Bytes held by the in-memory cache.");
        var redis = f.CreateHistogram("hlsgw_redis_command_duration_seconds", "Redis command latency.", H(RedisBuckets, "command", "result"));
        _redisDuration = new Histogram.Child[MetricLabels.RedisCommand.Length * 2];
        for (var c = 0; c < MetricLabels.RedisCommand.Length; c++)
        {
            for (var r = 0; r < 2; r++)
            {
                _redisDuration[(c * 2) + r] = redis.WithLabels(MetricLabels.RedisCommand[c], MetricLabels.RedisResult[r]);
            }
        }
        // no initial value: the series appears only once Redis is configured, so "Redis down" cannot fire without Redis
        _redisConnected = f.CreateGauge("hlsgw_redis_connected", "1 while the Redis connection is up (absent when Redis is not configured).", new GaugeConfiguration { SuppressInitialValue = true });
        var fillLock = f.CreateCounter("hlsgw_fill_lock_total", "Cache fills by fleet-wide fill lock outcome (acquired, peer_filled, fallback, unavailable).", C("outcome"));
        _fillLock = FillLockOutcomes.Select(o => fillLock.WithLabels(o)).ToArray();
        _purges = f.CreateCounter("hlsgw_cache_purges_total", "Admin cache purges by kind (path or prefix).", C("kind"));
        _purgedEntries = f.CreateCounter("hlsgw_cache_purged_entries_total", "Objects removed from memory tiers by admin purges (summed over the instances that answered).", C("kind"));
        _revalidations = f.CreateCounter("hlsgw_cache_revalidations_total", "Conditional GETs for expired entries by result (not_modified: renewed without a body, modified: a new 200).", C("origin", "result"));
        _backgroundRefreshes = f.CreateCounter("hlsgw_cache_background_refreshes_total", "Background fetches started for an expired segment or VOD playlist served meanwhile (stale-while-revalidate).", C("origin"));
        _originUp = f.CreateGauge("hlsgw_origin_up", "1 when the last health probe of the origin succeeded.", "origin");
        _originProbeSeconds = f.CreateGauge("hlsgw_origin_probe_duration_seconds", "Duration of the last health probe of the origin.", "origin");
        _failovers = f.CreateCounter("hlsgw_origin_failovers_total", "Times fetches for an origin moved to another of its base URLs (failover, and the way back to a recovered URL).", C("origin", "from", "to"));
        var activeUrl = f.CreateGauge("hlsgw_origin_active_url", "1 for the base URL an origin's fetches go to now, 0 for its other URLs (Gateway:OriginSettings:<name>:Backups).", "origin", "url");

        _recorderSegments = f.CreateCounter("hlsgw_recorder_segments_written_total", "Segments written by the recorder.", C());
        _recorderBytes = f.CreateCounter("hlsgw_recorder_bytes_written_total", "Bytes written by the recorder.", C());
        _recorderGaps = f.CreateCounter("hlsgw_recorder_gaps_total", "Gaps the recorder could not fill.", C());
        _uploadBytes = f.CreateCounter("hlsgw_upload_bytes_total", "Bytes uploaded by the recorder.", C());
        _uploadFailures = f.CreateCounter("hlsgw_upload_failures_total", "Failed uploads.", C());
        _uploadQueue = f.CreateGauge("hlsgw_upload_queue_length", "Files waiting to be uploaded.");
        _activeRecordings = f.CreateGauge("hlsgw_recorder_active_recordings", "Recordings running.");

        // sampled at scrape time: in-flight counters are plain longs on the hot path
        var connections = f.CreateGauge("hlsgw_active_connections", "Open client connections (all HTTP versions; Kestrel's count).");
        var inflight = f.CreateGauge("hlsgw_active_requests", "Client requests in flight by HTTP version (HTTP/2 and HTTP/3: streams).", "protocol");
        var inflightChildren = TrafficCounters.ProtocolLabels.Select(p => inflight.WithLabels(p)).ToArray();
        var topN = options.Value.StreamMetricsTopN;
        var streamViewers = topN > 0 ? f.CreateGauge("hlsgw_stream_viewers", "Distinct clients per playlist in the viewer window (top N only; opt-in).", "origin", "stream") : null;
        var ioBytes = ioBuffers is null ? null : f.CreateGauge("hlsgw_io_buffer_bytes", "Connection I/O buffers (pinned): in_use by connections now, free kept for reuse.", "state");
        var ioInUse = ioBytes?.WithLabels("in_use");
        var ioFree = ioBytes?.WithLabels("free");
        registry.Registry.AddBeforeCollectCallback(() =>
        {
            connections.Set(traffic.ActiveConnections);
            if (ioBuffers is not null && ioInUse is not null && ioFree is not null)
            {
                ioInUse.Set(ioBuffers.BytesInUse);
                ioFree.Set(ioBuffers.BytesFree);
            }
            for (var p = 0; p < inflightChildren.Length; p++)
            {
                inflightChildren[p].Set(traffic.ActiveRequests(p));
            }
            if (streamViewers is not null)
            {
                PublishTopStreams(streamViewers, viewers.Top(topN));
            }
            if (originUrls is not null)
            {
                PublishActiveUrls(activeUrl, originUrls.GetOriginUrls());
            }
        });

        _origins = new OriginLabelTable<OriginSlot>(options.Value.MaxOriginLabels, name => new OriginSlot(this, name));
    }

    public void RequestCompleted(RouteKind kind, string origin, int statusCode, CacheResult cache, double seconds, long bytesSent)
    {
        var k = (uint)kind < MetricLabels.Kinds ? (int)kind : (int)RouteKind.Other;
        var c = (uint)cache < MetricLabels.CacheResults ? (int)cache : 0;
        var s = MetricLabels.StatusClassIndex(statusCode);
        var slot = _origins.Get(origin);
        var i = (((k * MetricLabels.StatusClasses) + s) * MetricLabels.CacheResults) + c;
        (slot.Requests[i] ?? slot.CreateRequest(i, k, s, c)).Inc();
        (slot.Durations[i] ?? slot.CreateDuration(i, k, s, c)).Observe(seconds);
        if (bytesSent > 0)
        {
            (slot.BytesServed[k] ??= _bytesServed.WithLabels(MetricLabels.Kind[k], slot.Name)).Inc(bytesSent);
        }
        _window.RecordRequest((RouteKind)k, (CacheResult)c, seconds, bytesSent);
    }

    public void OriginFetch(string origin, RouteKind kind, int statusCode, double seconds, long bytesReceived, string? error)
    {
        var k = (uint)kind < MetricLabels.Kinds ? (int)kind : (int)RouteKind.Other;
        var slot = _origins.Get(origin);
        if (seconds > 0)
        {
            (slot.FetchDurations[k] ??= _originDuration.WithLabels(MetricLabels.Kind[k], slot.Name)).Observe(seconds);
        }
        if (bytesReceived > 0)
        {
            slot.BytesFetched.Inc(bytesReceived);
            _window.RecordBytesIn(bytesReceived);
        }
        if (error is not null)
        {
            var r = MetricLabels.IndexOf(MetricLabels.OriginErrorIndex, error, MetricLabels.OriginError.Length - 1);
            (slot.Errors[r] ??= _originErrors.WithLabels(slot.Name, MetricLabels.OriginError[r])).Inc();
        }
    }

    public void RequestCollapsed(string origin) => _origins.Get(origin).Collapsed.Inc();

    public void RequestDenied(string reason) =>
        _denied[MetricLabels.IndexOf(MetricLabels.DenyReasonIndex, reason, MetricLabels.DenyReason.Length - 1)].Inc();

    public void CacheSize(long entries, long bytes)
    {
        _cacheEntries.Set(entries);
        _cacheBytes.Set(bytes);
    }

    public void RedisCommand(string command, double seconds, bool ok)
    {
        var c = MetricLabels.IndexOf(MetricLabels.RedisCommandIndex, command, MetricLabels.RedisCommand.Length - 1);
        _redisDuration[(c * 2) + (ok ? 0 : 1)].Observe(seconds);
        if (ok)
        {
            _window.RecordRedis(seconds);
        }
    }

    public void RedisConnected(bool connected) => _redisConnected.Set(connected ? 1 : 0);

    public void FillLock(string outcome)
    {
        var i = Array.IndexOf(FillLockOutcomes, outcome);
        _fillLock[i < 0 ? FillLockOutcomes.Length - 1 : i].Inc();
    }

    public void CachePurged(string kind, int entries)
    {
        var label = kind == "path" ? "path" : "prefix";
        _purges.WithLabels(label).Inc();
        _purgedEntries.WithLabels(label).Inc(entries);
    }

    public void OriginFailover(string origin, string from, string to) =>
        _failovers.WithLabels(_origins.Get(origin).Name, from, to).Inc(); // rare: looked up by label

    public void Revalidated(string origin, bool notModified) =>
        _revalidations.WithLabels(_origins.Get(origin).Name, notModified ? "not_modified" : "modified").Inc();

    public void BackgroundRefresh(string origin) => _backgroundRefreshes.WithLabels(_origins.Get(origin).Name).Inc();

    /// <summary>Result of the latest health probe of an origin (from the origin prober).</summary>
    public void OriginProbed(string origin, bool up, double seconds)
    {
        // not hot: children are looked up by label here, and exist only for probed origins
        var name = _origins.Get(origin).Name;
        _originUp.WithLabels(name).Set(up ? 1 : 0);
        _originProbeSeconds.WithLabels(name).Set(seconds);
    }

    public void SegmentWritten(long bytes)
    {
        _recorderSegments.Inc();
        _recorderBytes.Inc(Math.Max(0, bytes));
    }

    public void Gap() => _recorderGaps.Inc();

    public void Uploaded(long bytes) => _uploadBytes.Inc(Math.Max(0, bytes));

    public void UploadFailed() => _uploadFailures.Inc();

    public void UploadQueueLength(long files) => _uploadQueue.Set(files);

    public void ActiveRecordings(long count) => _activeRecordings.Set(count);

    private void PublishActiveUrls(Gauge gauge, IReadOnlyList<OriginUrlsStatus> origins)
    {
        var keep = new HashSet<(string, string)>();
        foreach (var o in origins)
        {
            var name = _origins.Get(o.Origin).Name;
            foreach (var u in o.Urls)
            {
                keep.Add((name, u.Url));
                gauge.WithLabels(name, u.Url).Set(u.Active ? 1 : 0);
            }
        }
        foreach (var labels in gauge.GetAllLabelValues())
        {
            if (!keep.Contains((labels[0], labels[1])))
            {
                gauge.RemoveLabelled(labels); // an origin or URL removed by a reload
            }
        }
    }

    private static void PublishTopStreams(Gauge gauge, IReadOnlyList<StreamViewerCount> top)
    {
        var keep = new HashSet<(string, string)>();
        foreach (var s in top)
        {
            var origin = s.Origin;
            var stream = s.Stream.Length > origin.Length ? s.Stream[(origin.Length + 1)..] : s.Stream;
            keep.Add((origin, stream));
            gauge.WithLabels(origin, stream).Set(s.Viewers);
        }
        foreach (var labels in gauge.GetAllLabelValues())
        {
            if (!keep.Contains((labels[0], labels[1])))
            {
                gauge.RemoveLabelled(labels);
            }
        }
    }

    /// <summary>Cached children for one origin label value; filled lazily, indexed by enum values.</summary>
    private sealed class OriginSlot
    {
        private readonly PrometheusGatewayMetrics _owner;

        public OriginSlot(PrometheusGatewayMetrics owner, string name)
        {
            _owner = owner;
            Name = name;
            BytesFetched = owner._bytesFetched.WithLabels(name);
            Collapsed = owner._collapsed.WithLabels(name);
        }

        public string Name { get; }

        public readonly Counter.Child?[] Requests = new Counter.Child?[Combos];
        public readonly Histogram.Child?[] Durations = new Histogram.Child?[Combos];
        public readonly Counter.Child?[] BytesServed = new Counter.Child?[MetricLabels.Kinds];
        public readonly Histogram.Child?[] FetchDurations = new Histogram.Child?[MetricLabels.Kinds];
        public readonly Counter.Child?[] Errors = new Counter.Child?[MetricLabels.OriginError.Length];
        public readonly Counter.Child BytesFetched;
        public readonly Counter.Child Collapsed;

        public Counter.Child CreateRequest(int i, int k, int s, int c) =>
            Requests[i] = _owner._requests.WithLabels(MetricLabels.Kind[k], Name, MetricLabels.StatusClass[s], MetricLabels.Cache[c]);

        public Histogram.Child CreateDuration(int i, int k, int s, int c) =>
            Durations[i] = _owner._requestDuration.WithLabels(MetricLabels.Kind[k], Name, MetricLabels.StatusClass[s], MetricLabels.Cache[c]);
    }
}
