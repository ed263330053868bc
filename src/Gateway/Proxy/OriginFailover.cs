using HlsGateway.Monitor.Stats;

namespace HlsGateway.Proxy;

/// <summary>
/// Passive health over an origin's base URLs (primary first, then its backups). Fetches go to the first healthy
/// URL in order. A connect error, timeout, truncated body or 5xx marks a URL down for the cooldown; once that is
/// over, one request probes it (the rest keep using the active URL) and an answer below 500 makes it healthy
/// again, so the primary takes over again as soon as it is back. The request path reads one volatile field
/// (<see cref="Choose"/>); only transitions take a lock, never across an await. With one URL nothing is tracked.
/// </summary>
internal sealed partial class OriginFailover
{
    private readonly string _origin;
    private readonly OriginUrl[] _urls;
    private readonly long _cooldownTicks;
    private readonly OriginFailoverHooks _hooks;
    private readonly Lock _sync = new();
    private volatile OriginUrl _active;
    private long _failovers;

    public OriginFailover(string origin, OriginUrl[] urls, TimeSpan cooldown, OriginFailoverHooks? hooks = null)
    {
        _origin = origin;
        _urls = urls;
        _hooks = hooks ?? OriginFailoverHooks.None;
        _cooldownTicks = (long)(cooldown.TotalSeconds * _hooks.Time.TimestampFrequency);
        Cooldown = cooldown;
        _active = urls[0];
    }

    public IReadOnlyList<OriginUrl> Urls => _urls;

    /// <summary>The URL fetches go to now.</summary>
    public OriginUrl Active => _active;

    public TimeSpan Cooldown { get; }

    /// <summary>True when there is more than one URL: the only case in which a failed request is retried elsewhere.</summary>
    public bool HasBackups => _urls.Length > 1;

    public long Failovers => Interlocked.Read(ref _failovers);

    /// <summary>The URL for a new request: the active one, or a better-placed one whose cooldown is over (a probe).</summary>
    public OriginAttempt Choose()
    {
        var active = _active;
        if (active.Index == 0 && active.IsHealthy)
        {
            return new OriginAttempt(active, false); // the primary is fine: nothing else to look at
        }
        return _urls.Length == 1 ? new OriginAttempt(active, false) : ChooseSlow(active);
    }

    private OriginAttempt ChooseSlow(OriginUrl active)
    {
        // URLs ahead of the active one are down; with every URL down, any of them may be due
        var limit = active.IsHealthy ? active.Index : _urls.Length;
        return TryProbe(limit, exclude: null, out var probe) ? probe : new OriginAttempt(active, false);
    }

    private bool TryProbe(int limit, OriginUrl? exclude, out OriginAttempt probe)
    {
        var now = _hooks.Time.GetTimestamp();
        for (var i = 0; i < limit; i++)
        {
            var u = _urls[i];
            var until = Volatile.Read(ref u.DownUntil);
            if (!ReferenceEquals(u, exclude) && until != 0 && now >= until && Interlocked.CompareExchange(ref u.Probing, 1, 0) == 0)
            {
                probe = new OriginAttempt(u, true);
                return true;
            }
        }
        probe = default;
        return false;
    }

    /// <summary>
    /// After <paramref name="failed"/> failed (and was reported): where to retry it once, when that is safe: the
    /// first healthy URL other than the failed one, else one whose cooldown is over. False with a single URL.
    /// </summary>
    public bool TryNext(in OriginAttempt failed, out OriginAttempt next)
    {
        next = default;
        if (_urls.Length == 1)
        {
            return false;
        }
        var active = _active;
        if (!ReferenceEquals(active, failed.Url) && active.IsHealthy)
        {
            next = new OriginAttempt(active, false);
            return true;
        }
        foreach (var u in _urls)
        {
            if (!ReferenceEquals(u, failed.Url) && u.IsHealthy)
            {
                next = new OriginAttempt(u, false);
                return true;
            }
        }
        return TryProbe(_urls.Length, failed.Url, out next);
    }

    /// <summary>The request was answered below 500. A probe makes its URL healthy again (in-flight requests that started before a URL went down do not).</summary>
    public void Succeeded(in OriginAttempt attempt)
    {
        if (!attempt.IsProbe)
        {
            return;
        }
        var u = attempt.Url;
        var wasDown = Interlocked.Exchange(ref u.DownUntil, 0) != 0;
        Volatile.Write(ref u.Probing, 0);
        if (wasDown && !Recompute($"{u.DisplayUrl} answered again after its cooldown"))
        {
            Log.Recovered(_hooks.Logger, _origin, u.DisplayUrl); // healthy again, but fetches stay where they are (or were already here)
        }
    }

    /// <summary>A connect error, timeout, truncated body or 5xx (<paramref name="reason"/>): the URL is kept out for the cooldown.</summary>
    public void Failed(in OriginAttempt attempt, string reason)
    {
        if (_urls.Length == 1)
        {
            return;
        }
        var u = attempt.Url;
        u.NoteFailure(reason, _hooks.Time.GetUtcNow());
        var wasHealthy = Interlocked.Exchange(ref u.DownUntil, _hooks.Time.GetTimestamp() + _cooldownTicks) == 0;
        if (attempt.IsProbe)
        {
            Volatile.Write(ref u.Probing, 0);
            Log.ProbeFailed(_hooks.Logger, _origin, u.DisplayUrl, reason, Cooldown.TotalSeconds);
        }
        if (wasHealthy)
        {
            Recompute(reason);
        }
    }

    /// <summary>The request ended without telling anything about the URL (the client went away): release a probe.</summary>
    public void Abandoned(in OriginAttempt attempt)
    {
        if (attempt.IsProbe)
        {
            Volatile.Write(ref attempt.Url.Probing, 0);
        }
    }

    /// <summary>Makes the first healthy URL (else the primary) the active one; true when that changed.</summary>
    private bool Recompute(string reason)
    {
        OriginUrl from, to;
        lock (_sync)
        {
            from = _active;
            to = _urls[0];
            foreach (var u in _urls)
            {
                if (u.IsHealthy)
                {
                    to = u;
                    break;
                }
            }
            if (ReferenceEquals(from, to))
            {
                return false;
            }
            _active = to;
            _failovers++;
        }
        _hooks.Metrics.OriginFailover(_origin, from.DisplayUrl, to.DisplayUrl);
        if (!to.IsHealthy)
        {
            Log.AllDown(_hooks.Logger, _origin, reason);
        }
        else if (to.Index < from.Index)
        {
            Log.Restored(_hooks.Logger, _origin, to.DisplayUrl, from.DisplayUrl);
        }
        else
        {
            Log.FailedOver(_hooks.Logger, _origin, from.DisplayUrl, to.DisplayUrl, reason, Cooldown.TotalSeconds);
        }
        return true;
    }

    /// <summary>A snapshot for /stats and the active-URL gauge.</summary>
    public OriginUrlsStatus Status()
    {
        var now = _hooks.Time.GetTimestamp();
        var active = _active;
        var urls = new OriginUrlStatus[_urls.Length];
        for (var i = 0; i < _urls.Length; i++)
        {
            var u = _urls[i];
            var until = Volatile.Read(ref u.DownUntil);
            var state = until == 0 ? "healthy" : now >= until ? "probing" : "down";
            double? retryIn = until != 0 && now < until ? Math.Round((double)(until - now) / _hooks.Time.TimestampFrequency, 1) : null;
            var last = u.LastFailure;
            urls[i] = new OriginUrlStatus(u.DisplayUrl, i == 0 ? "primary" : "backup", ReferenceEquals(u, active), state, retryIn,
                Interlocked.Read(ref u.Failures), last?.Reason, last?.At);
        }
        return new OriginUrlsStatus(_origin, active.DisplayUrl, Failovers, urls);
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 8201, EventName = "OriginFailedOver", Level = LogLevel.Warning,
            Message = "Origin {Origin}: fetches move from {From} to {To} ({Reason}); it is retried after {CooldownSeconds} s.")]
        public static partial void FailedOver(ILogger logger, string origin, string from, string to, string reason, double cooldownSeconds);

        [LoggerMessage(EventId = 8202, EventName = "OriginUrlRestored", Level = LogLevel.Information,
            Message = "Origin {Origin}: {Url} answers again; fetches move back to it from {From}.")]
        public static partial void Restored(ILogger logger, string origin, string url, string from);

        [LoggerMessage(EventId = 8203, EventName = "OriginUrlProbeFailed", Level = LogLevel.Information,
            Message = "Origin {Origin}: probe of {Url} failed ({Reason}); next try in {CooldownSeconds} s.")]
        public static partial void ProbeFailed(ILogger logger, string origin, string url, string reason, double cooldownSeconds);

        [LoggerMessage(EventId = 8205, EventName = "OriginUrlRecovered", Level = LogLevel.Information,
            Message = "Origin {Origin}: {Url} answers again after its cooldown.")]
        public static partial void Recovered(ILogger logger, string origin, string url);

        [LoggerMessage(EventId = 8204, EventName = "OriginAllUrlsDown", Level = LogLevel.Error,
            Message = "Origin {Origin}: every base URL is failing ({Reason}); requests go to the primary until one answers.")]
        public static partial void AllDown(ILogger logger, string origin, string reason);
    }
}
