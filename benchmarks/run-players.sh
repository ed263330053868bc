#!/usr/bin/env bash
# run-players.sh - VUS (2,000) simulated live players (k6/live-players.js) for DURATION (5m) against the
# gateway, then the same run against nginx proxy_cache (../shared/bench/peer-nginx.sh), both in front of
# one live origin (benchmarks/live-origin.sh on the bench nginx origin: 2 renditions, 800 kbps / 2.5 Mbps,
# 2 s segments). Reports k6's thresholds (playlist p99 < 100 ms, segment p99 < 500 ms, errors < 0.1 %),
# the server's RSS (peak, end) and CPU (cores used on average), and origin requests.
# Output: JSON lines in benchmarks/results/players-<date>.jsonl and a table on stdout. Loopback only.
# Env: VUS (2000), DURATION (5m), RAMP (60s), VARIANT (random), K6 (../shared/tools/k6), ORDER ("gateway nginx").
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT="$PWD"
BENCH="${BENCH:-$ROOT/../shared/bench}"
K6="${K6:-$ROOT/../shared/tools/k6}"
export HLS_DIR="${HLS_DIR:-/tmp/bench-hls}"
VUS="${VUS:-2000}"; DURATION="${DURATION:-5m}"; RAMP="${RAMP:-60s}"; VARIANT="${VARIANT:-random}"
ORDER="${ORDER:-gateway nginx}"
GW_PORT="${GW_PORT:-18090}"
STAMP="$(date -u +%Y-%m-%dT%H%M%SZ)"
OUT="$ROOT/benchmarks/results/players-$STAMP.jsonl"
WORK="$(mktemp -d /tmp/players.XXXXXX)"

[ -x "$K6" ] || { echo "run-players: k6 not found at $K6" >&2; exit 1; }
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
DOTNET_gcServer=1 dotnet src/Gateway/bin/Release/net10.0/Gateway.dll \
  --Kestrel:Endpoints:Http:Url="http://127.0.0.1:$GW_PORT" \
  --Gateway:Origins:bench="http://127.0.0.1:18080" \
  --Logging:LogLevel:Default=Warning >"$WORK/gateway.log" 2>&1 &
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
  "$K6" run --quiet --no-color -e BASE_URL="$base" -e STREAM="$stream" -e VUS="$VUS" -e RAMP="$RAMP" -e DURATION="$DURATION" \
    -e VARIANT="$VARIANT" --summary-export "$WORK/$label-summary.json" k6/live-players.js > "$WORK/$label-k6.txt" 2>&1 || k6rc=$?
  local t1 c1; t1=$(date +%s.%N); c1=$(ticks_of "$pids")
  kill "$sampler" 2>/dev/null || true; wait "$sampler" 2>/dev/null || true
  cat "$WORK/$label-samples.jsonl"
  local origin_after; origin_after=$(wc -l < /tmp/bench-nginx-origin/logs/access.log 2>/dev/null || echo 0)
  python3 - "$label" "$WORK/$label-summary.json" "$WORK/$label-samples.jsonl" "$k6rc" "$(echo "($c1 - $c0) / $hz / ($t1 - $t0)" | bc -l)" \
    $((origin_after - origin_before)) "$VUS" "$DURATION" <<'PY'
import json, sys
label, summary, samples, rc, cpu, origin, vus, dur = sys.argv[1:]
m = json.load(open(summary))["metrics"]
s = [json.loads(l) for l in open(samples) if l.strip()]
def t(name, stat):
    return round(m[name][stat], 2) if name in m and stat in m[name] else None
print(json.dumps({"label": label, "vus": int(vus), "duration": dur, "k6_exit": int(rc), "thresholds_held": int(rc) == 0,
  "playlist_p50_ms": t("hls_playlist_ms", "p(50)"), "playlist_p99_ms": t("hls_playlist_ms", "p(99)"),
  "segment_p50_ms": t("hls_segment_ms", "p(50)"), "segment_p99_ms": t("hls_segment_ms", "p(99)"),
  "error_rate": m.get("hls_errors", {}).get("value"), "requests": m.get("http_reqs", {}).get("count"),
  "segments": m.get("hls_segments", {}).get("count"), "rebuffer_risk_p99": t("hls_rebuffer_risk", "p(99)"),
  "stalled_reloads": m.get("hls_stalled_reloads", {}).get("count"),
  "mb_received": round(m.get("data_received", {}).get("count", 0) / 1e6),
  "server_cpu_cores_avg": round(float(cpu), 2), "server_rss_mb_peak": max((x["rss_mb"] for x in s), default=None),
  "server_rss_mb_end": s[-1]["rss_mb"] if s else None, "origin_requests": int(origin)}))
PY
}

{
  echo "{\"label\":\"meta\",\"date\":\"$STAMP\",\"cpus\":$(nproc),\"cpu\":\"$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)\",\"dotnet\":\"$(dotnet --version)\",\"nginx\":\"$(nginx -v 2>&1 | cut -d/ -f2)\",\"k6\":\"$("$K6" version | head -1 | cut -d' ' -f2)\",\"vus\":$VUS,\"ramp\":\"$RAMP\",\"duration\":\"$DURATION\",\"variant\":\"$VARIANT\"}"
  for who in $ORDER; do
    case "$who" in
      gateway) run_one gateway "http://127.0.0.1:$GW_PORT" /hls/bench/live-loop/master.m3u8 "$GW_PIDFILE" ;;
      nginx) run_one nginx-proxy-cache http://127.0.0.1:18081 /live-loop/master.m3u8 /tmp/bench-nginx-peer/logs/nginx.pid ;;
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
print(f"{meta['vus']} players, {meta['duration']} hold after {meta['ramp']} ramp, variant {meta['variant']}, {meta['date']}")
print("| | " + " | ".join(r["label"] for r in runs) + " |")
print("|---|" + "---:|" * len(runs))
for key in ["thresholds_held", "playlist_p50_ms", "playlist_p99_ms", "segment_p50_ms", "segment_p99_ms", "error_rate", "requests",
            "segments", "rebuffer_risk_p99", "mb_received", "server_cpu_cores_avg", "server_rss_mb_peak", "server_rss_mb_end", "origin_requests"]:
    print(f"| {key} | " + " | ".join(str(r.get(key)) for r in runs) + " |")
PY
echo "raw: $OUT (k6 output in $WORK)"
