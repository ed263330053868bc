#!/usr/bin/env bash
# run-players.sh - VUS (2,000) simulated live players for DURATION (5m) against the
# gateway, then the same run against nginx proxy_cache (../shared/bench/peer-nginx.sh), both in front of
# one live origin (benchmarks/live-origin.sh on the bench nginx origin: 2 renditions, 800 kbps / 2.5 Mbps,
# 2 s segments). Reports k6's thresholds (playlist p99 < 100 ms, segment p99 < 500 ms, errors < 0.1 %),
# the server's RSS (peak, end) and CPU (cores used on average), and origin requests.
# Players: RUNNER=playerload (default) is benchmarks/PlayerLoad, the behaviour of k6/live-players.js in compiled
# code (k6's JS VUs took ~1.3 of the 2 cores at 2,000 players and set the latencies they measured); RUNNER=k6 runs
# k6/live-players.js itself. Both report the same metrics; the client's own CPU is reported too.
# Output: JSON lines in benchmarks/results/players-<date>.jsonl and a table on stdout. Loopback only.
# Env: VUS (2000), DURATION (5m), RAMP (60s), VARIANT (random), RUNNER (playerload|k6), K6 (../shared/tools/k6), ORDER ("gateway nginx"),
#      GW_ARGS (extra gateway arguments, e.g. --Gateway:Hosting:InlineIoScheduling=true),
#      GW_ENV (extra environment for the gateway process, e.g. "DOTNET_gcServer=0"),
#      TLS (0; 1 = players speak HTTP/2 over TLS, one connection each, like browsers: the gateway on Gateway:Tls :18493,
#      nginx on :18443, both with the peer's self-signed cert; PlayerLoad only).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT="$PWD"
BENCH="${BENCH:-$ROOT/../shared/bench}"
K6="${K6:-$ROOT/../shared/tools/k6}"
export HLS_DIR="${HLS_DIR:-/tmp/bench-hls}"
VUS="${VUS:-2000}"; DURATION="${DURATION:-5m}"; RAMP="${RAMP:-60s}"; VARIANT="${VARIANT:-random}"; RUNNER="${RUNNER:-playerload}"; GW_ARGS="${GW_ARGS:-}"; GW_ENV="${GW_ENV:-}"
ORDER="${ORDER:-gateway nginx}"; TLS="${TLS:-0}"
PEER_TLS_DIR="${PEER_PREFIX:-/tmp/bench-nginx-peer}/tls"; GW_TLS_PORT="${GW_TLS_PORT:-18493}"
if [ "$TLS" = 1 ] && [ "$RUNNER" != playerload ]; then echo "run-players: TLS=1 needs RUNNER=playerload" >&2; exit 2; fi
GW_PORT="${GW_PORT:-18090}"
STAMP="$(date -u +%Y-%m-%dT%H%M%SZ)"
OUT="$ROOT/benchmarks/results/players-$STAMP.jsonl"
WORK="$(mktemp -d /tmp/players.XXXXXX)"

seconds() { case "$1" in *m) echo $(( ${1%m} * 60 )) ;; *s) echo "${1%s}" ;; *) echo "$1" ;; esac; }
case "$RUNNER" in
  k6) [ -x "$K6" ] || { echo "run-players: k6 not found at $K6" >&2; exit 1; } ;;
  playerload) dotnet build benchmarks/PlayerLoad -c Release -nologo -v q ;;
  *) echo "run-players: RUNNER must be playerload or k6" >&2; exit 2 ;;
esac
bash "$BENCH/setup.sh" >/dev/null
[ -f "$HLS_DIR/vod/720p/seg_005.ts" ] || bash "$BENCH/make-hls.sh" "$HLS_DIR"
# a fresh origin and peer (empty peer cache), no origin rate limit: the origin is a nearby packager
ORIGIN_SEGMENT_RATE=0 bash "$BENCH/origin.sh" start >/dev/null
bash "$BENCH/peer-nginx.sh" stop >/dev/null 2>&1 || true
rm -rf /tmp/bench-nginx-peer/cache
bash "$BENCH/peer-nginx.sh" start >/dev/null
bash "$ROOT/benchmarks/live-origin.sh" start

dotnet build src/Gateway -c Release -nologo -v q
GW_PIDFILE="$WORK/gateway.pid"
env DOTNET_gcServer=1 ${GW_ENV:-} dotnet src/Gateway/bin/Release/net10.0/Gateway.dll \
  --Kestrel:Endpoints:Http:Url="http://127.0.0.1:$GW_PORT" \
  --Gateway:Origins:bench="http://127.0.0.1:18080" \
  $( [ "$TLS" = 1 ] && echo "--Gateway:Tls:Url=https://127.0.0.1:$GW_TLS_PORT --Gateway:Tls:CertificatePath=$PEER_TLS_DIR/cert.pem --Gateway:Tls:KeyPath=$PEER_TLS_DIR/key.pem" ) \
  --Logging:LogLevel:Default=Warning $GW_ARGS >"$WORK/gateway.log" 2>&1 &
echo $! > "$GW_PIDFILE"
cleanup() {
  kill "$(cat "$GW_PIDFILE")" 2>/dev/null || true
  bash "$ROOT/benchmarks/live-origin.sh" stop || true
  bash "$BENCH/peer-nginx.sh" stop >/dev/null 2>&1 || true
  bash "$BENCH/origin.sh" stop >/dev/null 2>&1 || true
}
trap cleanup EXIT
for _ in $(seq 1 100); do curl -sf -o /dev/null "http://127.0.0.1:$GW_PORT/hls/bench/live-loop/master.m3u8" && break; sleep 0.2; done
ulimit -n 65536 2>/dev/null || true

pids_of() { # the server's pids: the gateway process, or nginx's master and its workers
  local main; main="$(cat "$1")"; echo "$main $(ps -o pid= --ppid "$main" 2>/dev/null | xargs)"
}
ticks_of() { local t=0 s p; for p in $1; do s="$(cat "/proc/$p/stat" 2>/dev/null)" || continue; s="${s##*) }"; set -- $s; t=$((t + ${12} + ${13})); done; echo "$t"; }
rss_kb_of() { local t=0 p v; for p in $1; do v=$(awk '/^VmRSS/ {print $2}' "/proc/$p/status" 2>/dev/null || echo 0); t=$((t + ${v:-0})); done; echo "$t"; }

run_one() { # run_one LABEL BASE_URL STREAM PIDFILE
  local label="$1" base="$2" stream="$3" pidfile="$4" hz; hz=$(getconf CLK_TCK)
  local origin_before; origin_before=$(wc -l < /tmp/bench-nginx-origin/logs/access.log 2>/dev/null || echo 0)
  local pids; pids="$(pids_of "$pidfile")"
  echo "run-players: $label: $VUS players, ramp $RAMP, hold $DURATION ($base$stream)" >&2
  ( # sampler: RSS and CPU of the server every 5 s while k6 runs
    local last t0; t0=$(date +%s.%N); last=$(ticks_of "$pids")
    while sleep 5; do
      local now t; now=$(date +%s.%N); t=$(ticks_of "$pids")
      printf '{"label":"%s-sample","t":%.1f,"rss_mb":%d,"cpu_cores":%.2f}\n' "$label" "$(echo "$now - $t0" | bc)" \
        $(( $(rss_kb_of "$pids") / 1024 )) "$(echo "($t - $last) / $hz / 5" | bc -l)"
      last=$t
    done ) > "$WORK/$label-samples.jsonl" &
  local sampler=$!
  local t0 c0 k6rc=0; t0=$(date +%s.%N); c0=$(ticks_of "$pids")
  if [ "$RUNNER" = k6 ]; then
    "$K6" run --quiet --no-color -e BASE_URL="$base" -e STREAM="$stream" -e VUS="$VUS" -e RAMP="$RAMP" -e DURATION="$DURATION" \
      -e VARIANT="$VARIANT" --summary-export "$WORK/$label-summary.json" k6/live-players.js > "$WORK/$label-k6.txt" 2>&1 || k6rc=$?
  else
    dotnet benchmarks/PlayerLoad/bin/Release/net10.0/PlayerLoad.dll --url "$base$stream" --players "$VUS" --ramp "$(seconds "$RAMP")" \
      --duration "$(seconds "$DURATION")" --variant "$VARIANT" $( [ "$TLS" = 1 ] && echo "--http2 true --insecure true" ) \
      > "$WORK/$label-summary.json" 2> "$WORK/$label-runner.txt" || k6rc=$?
  fi
  local t1 c1; t1=$(date +%s.%N); c1=$(ticks_of "$pids")
  kill "$sampler" 2>/dev/null || true; wait "$sampler" 2>/dev/null || true
  cat "$WORK/$label-samples.jsonl"
  local origin_after; origin_after=$(wc -l < /tmp/bench-nginx-origin/logs/access.log 2>/dev/null || echo 0)
  # the gateway's GC work over the whole run (its own /metrics: .NET runtime meters)
  curl -sk "$base/metrics" 2>/dev/null | awk '/^system_runtime_dotnet_gc_collections\{/ { split($1, a, "\""); printf "%s=%s ", a[2], $2 }
    /^system_runtime_dotnet_gc_heap_total_allocated / { printf "allocated_mb=%d ", $2 / 1e6 }
    /^system_runtime_dotnet_gc_pause_time / { printf "gc_pause_s=%.2f ", $2 }' > "$WORK/$label-gc.txt" || true
  python3 - "$label" "$WORK/$label-summary.json" "$WORK/$label-samples.jsonl" "$k6rc" "$(echo "($c1 - $c0) / $hz / ($t1 - $t0)" | bc -l)" \
    $((origin_after - origin_before)) "$VUS" "$DURATION" "$(cat "$WORK/$label-gc.txt" 2>/dev/null)" <<'PY'
import json, sys
label, summary, samples, rc, cpu, origin, vus, dur, gc = sys.argv[1:]
doc = json.load(open(summary))
s = [json.loads(l) for l in open(samples) if l.strip()]
common = {"label": label, "vus": int(vus), "duration": dur, "runner_exit": int(rc), "thresholds_held": int(rc) == 0,
  "server_cpu_cores_avg": round(float(cpu), 2), "server_rss_mb_peak": max((x["rss_mb"] for x in s), default=None),
  "server_rss_mb_end": s[-1]["rss_mb"] if s else None, "origin_requests": int(origin)}
if gc.strip():
    common["server_gc"] = dict(kv.split("=", 1) for kv in gc.split())
if doc.get("runner") == "PlayerLoad":
    keep = ["playlist_p50_ms", "playlist_p99_ms", "segment_p50_ms", "segment_p99_ms", "error_rate", "requests", "segments",
            "rebuffer_risk_p99", "stalled_reloads", "mb_received", "client_cpu_cores_avg", "playlist_max_ms", "segment_max_ms", "first_error"]
    print(json.dumps({**common, "runner": "PlayerLoad", **{k: doc.get(k) for k in keep}}))
    sys.exit(0)
m = doc["metrics"]
def t(name, stat):
    return round(m[name][stat], 2) if name in m and stat in m[name] else None
print(json.dumps({**common, "runner": "k6",
  "playlist_p50_ms": t("hls_playlist_ms", "p(50)"), "playlist_p99_ms": t("hls_playlist_ms", "p(99)"),
  "segment_p50_ms": t("hls_segment_ms", "p(50)"), "segment_p99_ms": t("hls_segment_ms", "p(99)"),
  "error_rate": m.get("hls_errors", {}).get("value"), "requests": m.get("http_reqs", {}).get("count"),
  "segments": m.get("hls_segments", {}).get("count"), "rebuffer_risk_p99": t("hls_rebuffer_risk", "p(99)"),
  "stalled_reloads": m.get("hls_stalled_reloads", {}).get("count"),
  "mb_received": round(m.get("data_received", {}).get("count", 0) / 1e6)}))
PY
}

{
  echo "{\"label\":\"meta\",\"tls\":$TLS,\"date\":\"$STAMP\",\"gateway_args\":\"$GW_ARGS\",\"gateway_env\":\"${GW_ENV:-}\",\"cpus\":$(nproc),\"cpu\":\"$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)\",\"dotnet\":\"$(dotnet --version)\",\"nginx\":\"$(nginx -v 2>&1 | cut -d/ -f2)\",\"runner\":\"$RUNNER\",\"vus\":$VUS,\"ramp\":\"$RAMP\",\"duration\":\"$DURATION\",\"variant\":\"$VARIANT\"}"
  for who in $ORDER; do
    case "$who" in
      gateway) run_one gateway "$( [ "$TLS" = 1 ] && echo "https://127.0.0.1:$GW_TLS_PORT" || echo "http://127.0.0.1:$GW_PORT" )" /hls/bench/live-loop/master.m3u8 "$GW_PIDFILE" ;;
      nginx) run_one nginx-proxy-cache "$( [ "$TLS" = 1 ] && echo https://127.0.0.1:18443 || echo http://127.0.0.1:18081 )" /live-loop/master.m3u8 /tmp/bench-nginx-peer/logs/nginx.pid ;;
    esac
    sleep 5
  done
} | tee "$OUT"
echo
python3 - "$OUT" <<'PY'
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
runs = [r for r in rows if r["label"] in ("gateway", "nginx-proxy-cache")]
meta = rows[0]
print(f"{meta['vus']} players ({meta.get('runner', 'k6')}), {meta['duration']} hold after {meta['ramp']} ramp, variant {meta['variant']}, {meta['date']}")
print("| | " + " | ".join(r["label"] for r in runs) + " |")
print("|---|" + "---:|" * len(runs))
for key in ["thresholds_held", "server_gc", "playlist_p50_ms", "playlist_p99_ms", "segment_p50_ms", "segment_p99_ms", "error_rate", "requests",
            "segments", "rebuffer_risk_p99", "mb_received", "client_cpu_cores_avg", "server_cpu_cores_avg", "server_rss_mb_peak", "server_rss_mb_end", "origin_requests"]:
    print(f"| {key} | " + " | ".join(str(r.get(key)) for r in runs) + " |")
PY
echo "raw: $OUT (runner output in $WORK)"
