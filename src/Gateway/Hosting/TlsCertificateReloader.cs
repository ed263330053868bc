namespace HlsGateway.Hosting;

/// <summary>
/// Re-reads the PEM files when their directory changes (certbot and cert-manager replace them by rename, which a
/// watch on the file itself would miss) and, as a fallback, every <see cref="TlsOptions.ReloadCheckInterval"/>.
/// A bad new pair is logged and the running certificate stays.
/// </summary>
internal sealed partial class TlsCertificateReloader(TlsCertificateStore store, TimeProvider time, ILogger<TlsCertificateReloader> logger) : BackgroundService
{
    private readonly SemaphoreSlim _changed = new(0, 1);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var watchers = new List<FileSystemWatcher>();
        try
        {
            foreach (var dir in new[] { store.Options.CertificatePath!, store.Options.KeyPath! }
                .Select(p => Path.GetDirectoryName(Path.GetFullPath(p))!).Distinct(StringComparer.Ordinal))
            {
                try
                {
                    var w = new FileSystemWatcher(dir) { NotifyFilter = NotifyFilters.FileName | NotifyFilters.LastWrite | NotifyFilters.Size | NotifyFilters.DirectoryName };
                    w.Changed += (_, _) => Signal();
                    w.Created += (_, _) => Signal();
                    w.Renamed += (_, _) => Signal();
                    w.Deleted += (_, _) => Signal();
                    w.EnableRaisingEvents = true;
                    watchers.Add(w);
                }
                catch (Exception ex) when (ex is IOException or ArgumentException or PlatformNotSupportedException)
                {
                    Log.WatchFailed(logger, dir, ex);
                }
            }
            Log.Watching(logger, store.Certificate.Subject, store.Certificate.SerialNumber, store.Certificate.NotAfter.ToUniversalTime());
            while (!stoppingToken.IsCancellationRequested)
            {
                if (await _changed.WaitAsync(store.Options.ReloadCheckInterval, stoppingToken).ConfigureAwait(false))
                {
                    // a rename pair (cert then key) arrives as several events: let the writer finish
                    await Task.Delay(TimeSpan.FromMilliseconds(200), time, stoppingToken).ConfigureAwait(false);
                }
                Check();
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        finally
        {
            foreach (var w in watchers)
            {
                w.Dispose();
            }
        }
    }

    private void Signal()
    {
        try
        {
            _changed.Release();
        }
        catch (SemaphoreFullException)
        {
            // already signalled
        }
    }

    private void Check()
    {
        var errors = new List<string>();
        if (store.TryReload(time, errors))
        {
            var c = store.Certificate;
            Log.Reloaded(logger, c.Subject, c.SerialNumber, c.NotAfter.ToUniversalTime());
        }
        else if (errors.Count > 0)
        {
            Log.ReloadRejected(logger, string.Join(" ", errors));
        }
    }

    public override void Dispose()
    {
        _changed.Dispose();
        base.Dispose();
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 7100, EventName = "TlsCertificateWatching", Level = LogLevel.Information, Message = "HTTPS certificate {Subject} serial {Serial} (valid until {NotAfter:u}); watching its files for renewal.")]
        public static partial void Watching(ILogger logger, string subject, string serial, DateTime notAfter);

        [LoggerMessage(EventId = 7101, EventName = "TlsCertificateReloaded", Level = LogLevel.Information, Message = "HTTPS certificate reloaded: {Subject} serial {Serial} (valid until {NotAfter:u}); new handshakes use it.")]
        public static partial void Reloaded(ILogger logger, string subject, string serial, DateTime notAfter);

        [LoggerMessage(EventId = 7102, EventName = "TlsCertificateReloadRejected", Level = LogLevel.Warning, Message = "The changed HTTPS certificate files were not loaded; the running certificate stays: {Errors}")]
        public static partial void ReloadRejected(ILogger logger, string errors);

        [LoggerMessage(EventId = 7103, EventName = "TlsCertificateWatchFailed", Level = LogLevel.Warning, Message = "Cannot watch {Directory} for certificate changes; polling only.")]
        public static partial void WatchFailed(ILogger logger, string directory, Exception exception);
    }
}
