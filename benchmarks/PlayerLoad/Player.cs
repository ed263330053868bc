using System.Buffers;
using System.Diagnostics;
using System.Net;
using System.Text;

namespace HlsGateway.PlayerLoad;

internal sealed record LoadSettings(Uri Entry, int Players, TimeSpan Ramp, TimeSpan Hold, string Variant, int Seed, TimeSpan Timeout)
{
    /// <summary>HTTP/2 (over https: by ALPN, as a browser) instead of HTTP/1.1; still one connection per player.</summary>
    public bool Http2 { get; init; }

    /// <summary>Accept the server's certificate unchecked (the bench's self-signed cert on loopback).</summary>
    public bool Insecure { get; init; }
}

internal sealed class LoadStats
{
    private long _requests;
    private long _errors;
    private long _bytes;
    private long _stalls;
    private string? _firstError;

    public Histogram Playlist { get; } = new();

    public Histogram Segment { get; } = new();

    /// <summary>Segment download time / segment duration, in thousandths (above 1000 a real player would rebuffer).</summary>
    public Histogram RebufferPermille { get; } = new();

    public long Requests => Interlocked.Read(ref _requests);

    public long Errors => Interlocked.Read(ref _errors);

    public long Bytes => Interlocked.Read(ref _bytes);

    public long Stalls => Interlocked.Read(ref _stalls);

    public string? FirstError => _firstError;

    public void Request(long bytes)
    {
        Interlocked.Increment(ref _requests);
        Interlocked.Add(ref _bytes, bytes);
    }

    public void Error(string what)
    {
        Interlocked.Increment(ref _errors);
        Interlocked.CompareExchange(ref _firstError, what, null);
    }

    public void Stall() => Interlocked.Increment(ref _stalls);
}

/// <summary>
/// One live player with its own connection (a browser tab's keep-alive connection), like one k6 VU:
/// master → variant → media playlist reloads → each new segment once.
/// </summary>
internal sealed class Player(LoadSettings settings, LoadStats stats, Random random)
{
    private enum Kind { Playlist, Segment }

    public async Task RunAsync(CancellationToken stop)
    {
        using var handler = new SocketsHttpHandler
        {
            MaxConnectionsPerServer = 1,
            PooledConnectionIdleTimeout = TimeSpan.FromMinutes(5),
            AutomaticDecompression = DecompressionMethods.None,
            UseProxy = false,
            UseCookies = false,
        };
        if (settings.Insecure)
        {
            handler.SslOptions.RemoteCertificateValidationCallback = static (_, _, _, _) => true;
        }
        using var client = new HttpClient(handler) { Timeout = Timeout.InfiniteTimeSpan };
        try
        {
            while (!stop.IsCancellationRequested)
            {
                await PlayAsync(client, stop).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
        }
    }

    private async Task PlayAsync(HttpClient client, CancellationToken stop)
    {
        var (masterOk, master) = await GetAsync(client, settings.Entry, Kind.Playlist, stop).ConfigureAwait(false);
        if (!masterOk)
        {
            await Task.Delay(1000, stop).ConfigureAwait(false);
            return;
        }
        var mediaUri = settings.Entry;
        var variants = M3u8.ParseMaster(master!);
        if (variants.Count > 0)
        {
            variants.Sort((a, b) => a.Bandwidth.CompareTo(b.Bandwidth));
            var pick = settings.Variant switch
            {
                "best" => variants[^1],
                "lowest" => variants[0],
                _ => variants[random.Next(variants.Count)],
            };
            mediaUri = new Uri(settings.Entry, pick.Uri);
        }

        long lastSequence = -1;
        while (true)
        {
            var (ok, text) = await GetAsync(client, mediaUri, Kind.Playlist, stop).ConfigureAwait(false);
            if (!ok)
            {
                await Task.Delay(1000, stop).ConfigureAwait(false);
                continue;
            }
            var media = M3u8.ParseMedia(text!);
            var fresh = media.Segments.FindAll(s => s.Sequence > lastSequence);
            // a joining player starts near the live edge (last 3 segments), like hls.js
            var toLoad = lastSequence < 0 && fresh.Count > 3 ? fresh.GetRange(fresh.Count - 3, 3) : fresh;
            foreach (var segment in toLoad)
            {
                var started = Stopwatch.GetTimestamp();
                var (segmentOk, _) = await GetAsync(client, new Uri(mediaUri, segment.Uri), Kind.Segment, stop).ConfigureAwait(false);
                if (segmentOk && segment.Duration > 0)
                {
                    stats.RebufferPermille.Record((long)(Stopwatch.GetElapsedTime(started).TotalSeconds / segment.Duration * 1000));
                }
                lastSequence = segment.Sequence;
            }
            if (media.Ended)
            {
                return;
            }
            if (toLoad.Count == 0)
            {
                stats.Stall();
            }
            // RFC 8216 6.3.4: reload after the target duration, half of it when the playlist did not change
            var reload = TimeSpan.FromSeconds(toLoad.Count == 0 ? media.TargetDuration / 2 : media.TargetDuration);
            await Task.Delay(reload, stop).ConfigureAwait(false);
        }
    }

    /// <summary>One timed GET (send to last body byte). Playlists come back as text; segment bodies are read and dropped.</summary>
    private async Task<(bool Ok, string? Text)> GetAsync(HttpClient client, Uri uri, Kind kind, CancellationToken stop)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(stop);
        timeout.CancelAfter(settings.Timeout);
        var started = Stopwatch.GetTimestamp();
        long bytes = 0;
        string? text = null;
        var buffer = ArrayPool<byte>.Shared.Rent(64 * 1024);
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, uri);
            if (settings.Http2)
            {
                request.Version = HttpVersion.Version20;
                request.VersionPolicy = HttpVersionPolicy.RequestVersionExact;
            }
            using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token).ConfigureAwait(false);
            await using var body = await response.Content.ReadAsStreamAsync(timeout.Token).ConfigureAwait(false);
            var collected = kind == Kind.Playlist ? new MemoryStream() : null;
            int read;
            while ((read = await body.ReadAsync(buffer, timeout.Token).ConfigureAwait(false)) > 0)
            {
                bytes += read;
                collected?.Write(buffer, 0, read);
            }
            var micros = (long)Stopwatch.GetElapsedTime(started).TotalMicroseconds;
            (kind == Kind.Playlist ? stats.Playlist : stats.Segment).Record(micros);
            stats.Request(bytes);
            if (response.StatusCode != HttpStatusCode.OK)
            {
                stats.Error($"{kind} {uri.AbsolutePath}: HTTP {(int)response.StatusCode}");
                return (false, null);
            }
            if (collected is not null)
            {
                text = Encoding.UTF8.GetString(collected.GetBuffer(), 0, (int)collected.Length);
            }
            return (true, text);
        }
        catch (Exception e) when (!stop.IsCancellationRequested)
        {
            // a timeout or a broken connection is a failed request, timed like k6 times it (up to the timeout)
            (kind == Kind.Playlist ? stats.Playlist : stats.Segment).Record((long)Stopwatch.GetElapsedTime(started).TotalMicroseconds);
            stats.Request(bytes);
            stats.Error($"{kind} {uri.AbsolutePath}: {e.GetType().Name}: {e.Message}");
            return (false, null);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
