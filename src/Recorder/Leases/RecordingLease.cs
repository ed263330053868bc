namespace HlsGateway.Recorder.Leases;

/// <summary>
/// One recording's lease on this instance: acquisition tries (the lifecycle repeats them every third of
/// the period while in standby) and, once held, a renewal loop every third of the period that shares the
/// recording's progress. <see cref="HoldToken"/> is cancelled when another instance turns out to hold the
/// lease. When the store is unavailable the holder keeps holding (a Redis blip must not stop a
/// recording): if the outage is a partition, another instance may take over meanwhile and both record
/// until this one can reach Redis again and sees the other holder — overlap is preferred to loss.
/// </summary>
internal sealed partial class RecordingLease(
    IRecordingLeaseStore store, string name, string owner, TimeSpan period, Func<LeaseProgress?> progress, TimeProvider time, ILogger logger) : IDisposable
{
    private CancellationTokenSource? _hold;
    private Task _renewal = Task.CompletedTask;
    private volatile string? _holder;

    public string Owner => owner;

    /// <summary>Who holds the lease as last seen (this instance's id when it holds it); null before the first answer.</summary>
    public string? Holder => _holder;

    public TimeSpan Interval => period / 3;

    public bool IsHeld => _hold is { IsCancellationRequested: false };

    /// <summary>Cancelled when the lease is lost or given up.</summary>
    public CancellationToken HoldToken => _hold?.Token ?? new CancellationToken(canceled: true);

    /// <summary>One acquisition try; on success the renewal loop starts.</summary>
    public async ValueTask<LeaseAttempt> TryAcquireAsync(CancellationToken cancellationToken)
    {
        var attempt = await store.TryAcquireAsync(name, owner, period, cancellationToken).ConfigureAwait(false);
        if (attempt.Outcome != LeaseOutcome.Unavailable)
        {
            _holder = attempt.Holder;
        }
        if (attempt.Outcome == LeaseOutcome.Held)
        {
            _hold?.Dispose();
            _hold = new CancellationTokenSource();
            _renewal = RenewLoopAsync(_hold);
        }
        return attempt;
    }

    private async Task RenewLoopAsync(CancellationTokenSource hold)
    {
        var token = hold.Token;
        var unavailable = false;
        try
        {
            while (true)
            {
                await Task.Delay(Interval, time, token).ConfigureAwait(false);
                var renewed = await store.RenewAsync(name, owner, period, progress(), token).ConfigureAwait(false);
                switch (renewed.Outcome)
                {
                    case LeaseOutcome.Held:
                        _holder = owner;
                        unavailable = false;
                        break;
                    case LeaseOutcome.HeldByOther:
                        _holder = renewed.Holder;
                        Log.Lost(logger, name, renewed.Holder);
                        await hold.CancelAsync().ConfigureAwait(false);
                        return;
                    default:
                        if (!unavailable)
                        {
                            unavailable = true;
                            Log.KeepsHolding(logger, name);
                        }
                        break;
                }
            }
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
        }
    }

    /// <summary>Graceful stop: stops renewing and deletes the lease (if still ours) so another instance takes over at once.</summary>
    public async Task ReleaseAsync()
    {
        var held = await StopRenewingAsync().ConfigureAwait(false);
        if (held)
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2));
            await store.ReleaseAsync(name, owner, progress(), timeout.Token).ConfigureAwait(false);
            _holder = null;
        }
    }

    /// <summary>Stops renewing without deleting: the lease runs out on its own (what a crash leaves; tests).</summary>
    public Task AbandonAsync() => StopRenewingAsync();

    private async Task<bool> StopRenewingAsync()
    {
        var hold = _hold;
        if (hold is null)
        {
            return false;
        }
        var held = !hold.IsCancellationRequested;
        await hold.CancelAsync().ConfigureAwait(false);
        await _renewal.ConfigureAwait(false);
        return held;
    }

    public void Dispose() => _hold?.Dispose();

    private static partial class Log
    {
        [LoggerMessage(EventId = 6061, EventName = "LeaseLost", Level = LogLevel.Warning, Message = "Recording {Recording}: lease now held by {Holder}; this instance stops recording and stands by.")]
        public static partial void Lost(ILogger logger, string recording, string? holder);

        [LoggerMessage(EventId = 6062, EventName = "LeaseKeptDuringOutage", Level = LogLevel.Warning, Message = "Recording {Recording}: lease cannot be renewed (store unavailable); recording continues.")]
        public static partial void KeepsHolding(ILogger logger, string recording);
    }
}
