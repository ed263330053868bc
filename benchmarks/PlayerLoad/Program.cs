using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using HlsGateway.PlayerLoad;

// PlayerLoad - simulated live HLS players, the same behaviour as k6/live-players.js (master, pick a variant, reload
// the media playlist at the target-duration cadence, download each new segment once, start 3 segments from the live
// edge) in compiled code: at 2,000 players on two cores k6's JavaScript VUs took ~1.3 cores themselves and set the
// latency they measured. Prints one JSON summary; exit 0 when the seed thresholds hold (playlist p99 < 100 ms,
// segment p99 < 500 ms, errors < 0.1 %), 99 when they do not (as k6 does), 2 on bad arguments.
// Usage: PlayerLoad --url http://127.0.0.1:18090/hls/bench/live-loop/master.m3u8 [--players 2000] [--ramp 60]
//                   [--duration 300] [--variant random|lowest|best] [--seed 1] [--timeout 10]
//                   [--http2 true] (h2 by ALPN over https, h2c prior knowledge over http) [--insecure true] (self-signed cert)
var options = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
for (var i = 0; i + 1 < args.Length; i += 2)
{
    if (!args[i].StartsWith("--", StringComparison.Ordinal))
    {
        Console.Error.WriteLine($"PlayerLoad: unexpected argument '{args[i]}'");
        return 2;
    }
    options[args[i][2..]] = args[i + 1];
}
if (!options.TryGetValue("url", out var url) || !Uri.TryCreate(url, UriKind.Absolute, out var entry))
{
    Console.Error.WriteLine("PlayerLoad: --url <absolute master or media playlist URL> is required");
    return 2;
}
int Int(string name, int fallback) => options.TryGetValue(name, out var v) ? int.Parse(v, CultureInfo.InvariantCulture) : fallback;
var settings = new LoadSettings(
    entry,
    Players: Int("players", 2000),
    Ramp: TimeSpan.FromSeconds(Int("ramp", 60)),
    Hold: TimeSpan.FromSeconds(Int("duration", 300)),
    Variant: options.GetValueOrDefault("variant", "random"),
    Seed: Int("seed", 1),
    Timeout: TimeSpan.FromSeconds(Int("timeout", 10)))
{
    Http2 = options.TryGetValue("http2", out var h2) && bool.Parse(h2),
    Insecure = options.TryGetValue("insecure", out var insecure) && bool.Parse(insecure),
};

var stats = new LoadStats();
var process = Process.GetCurrentProcess();
var cpuBefore = process.TotalProcessorTime;
var clock = Stopwatch.StartNew();
using var stop = new CancellationTokenSource(settings.Ramp + settings.Hold);
var players = new List<Task>(settings.Players);
for (var p = 0; p < settings.Players; p++)
{
    // linear ramp: player p joins at p/players of the ramp
    var joinAt = settings.Players <= 1 ? TimeSpan.Zero : settings.Ramp * p / settings.Players;
    var wait = joinAt - clock.Elapsed;
    if (wait > TimeSpan.Zero)
    {
        try
        {
            await Task.Delay(wait, stop.Token);
        }
        catch (OperationCanceledException)
        {
            break;
        }
    }
    players.Add(new Player(settings, stats, new Random(settings.Seed * 100_003 + p)).RunAsync(stop.Token));
}
await Task.WhenAll(players);
var elapsed = clock.Elapsed;
process.Refresh();
var cpu = (process.TotalProcessorTime - cpuBefore).TotalSeconds / elapsed.TotalSeconds;

var errorRate = stats.Requests == 0 ? 1 : (double)stats.Errors / stats.Requests;
static double Ms(long micros) => Math.Round(micros / 1000.0, 2);
var held = stats.Playlist.Percentile(0.99) < 100_000 && stats.Segment.Percentile(0.99) < 500_000 && errorRate < 0.001;
var summary = new Dictionary<string, object?>
{
    ["runner"] = "PlayerLoad",
    ["players"] = settings.Players,
    ["ramp_s"] = settings.Ramp.TotalSeconds,
    ["hold_s"] = settings.Hold.TotalSeconds,
    ["variant"] = settings.Variant,
    ["thresholds_held"] = held,
    ["requests"] = stats.Requests,
    ["errors"] = stats.Errors,
    ["error_rate"] = Math.Round(errorRate, 6),
    ["first_error"] = stats.FirstError,
    ["playlist_p50_ms"] = Ms(stats.Playlist.Percentile(0.50)),
    ["playlist_p95_ms"] = Ms(stats.Playlist.Percentile(0.95)),
    ["playlist_p99_ms"] = Ms(stats.Playlist.Percentile(0.99)),
    ["playlist_max_ms"] = Ms(stats.Playlist.Max),
    ["segment_p50_ms"] = Ms(stats.Segment.Percentile(0.50)),
    ["segment_p95_ms"] = Ms(stats.Segment.Percentile(0.95)),
    ["segment_p99_ms"] = Ms(stats.Segment.Percentile(0.99)),
    ["segment_max_ms"] = Ms(stats.Segment.Max),
    ["segments"] = stats.Segment.Count,
    ["rebuffer_risk_p99"] = Math.Round(stats.RebufferPermille.Percentile(0.99) / 1000.0, 3),
    ["stalled_reloads"] = stats.Stalls,
    ["mb_received"] = Math.Round(stats.Bytes / 1e6),
    ["client_cpu_cores_avg"] = Math.Round(cpu, 2),
    ["elapsed_s"] = Math.Round(elapsed.TotalSeconds, 1),
};
Console.WriteLine(JsonSerializer.Serialize(summary));
return held ? 0 : 99;
