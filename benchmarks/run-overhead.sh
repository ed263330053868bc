#!/usr/bin/env bash
# run-overhead.sh - what a feature costs on the cached-hit path, measured in one run:
# the same gateway build, the same wrk client and the same cached playlist, a feature off vs on,
# alternating rounds (off, on, off, on, ...) so drift on a shared machine hits both sides.
#   FEATURE=metrics   Monitor:MetricsEnabled false vs true; while "on" is measured, /metrics is scraped every
#                     SCRAPE_EVERY s (5; Prometheus' default is 15) and each scrape of the busy gateway is timed
#   FEATURE=access    no access control vs IP allowlist (100k CIDRs via Gateway:Access:AllowFile) + signed URLs required
#   FEATURE=recording no recording vs one active recording of the demo live stream
#   FEATURE=accesslog no access log vs Gateway:AccessLog on (ACCESSLOG_FORMAT Text|Json, to a file in /tmp; ACCESSLOG_PATH to choose)
# PIN=1 pins the gateway to CPU 0 and wrk to CPU 1 (taskset): the gateway is then the bottleneck on one core and the
# ratio is its CPU per request, with far less scheduler noise than two processes sharing two cores.
# Env: ROUNDS (5), DURATION (10), WARMUP (30: every fresh gateway runs under load, and with metrics on is scraped,
# until tiered compilation has settled; a short warm-up measures the JIT, not the feature), CONNS (32). Output: JSON lines in benchmarks/results/.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT="$PWD"
FEATURE="${FEATURE:-metrics}"; PIN="${PIN:-0}"; ROUNDS="${ROUNDS:-5}"; DURATION="${DURATION:-10}"; WARMUP="${WARMUP:-30}"; SCRAPE_EVERY="${SCRAPE_EVERY:-5}"; CONNS="${CONNS:-32}"
STAMP="$(date -u +%Y-%m-%dT%H%M%SZ)"
OUT="$ROOT/benchmarks/results/overhead-$FEATURE-$STAMP.jsonl"
GW_PIN=""; WRK_PIN=""
if [ "$PIN" = 1 ]; then GW_PIN="taskset -c 0"; WRK_PIN="taskset -c 1"; fi
dotnet build src/Gateway -c Release -nologo -v q
DLL=src/Gateway/bin/Release/net10.0/Gateway.dll
PATH_UNDER_TEST="/hls/demo/vod.m3u8"

start_gateway() { # args...: extra gateway args; sets GW_PID and BASE
  LOG=$(mktemp /tmp/gw-overhead.XXXXXX.log)
  $GW_PIN env DOTNET_gcServer=1 dotnet "$DLL" --Kestrel:Endpoints:Http:Url=http://127.0.0.1:0 --Logging:LogLevel:Default=Warning "$@" >"$LOG" 2>&1 &
  GW_PID=$!
  BASE=""
  for _ in $(seq 1 300); do
    BASE=$(sed -n 's/^HLS gateway listening on \(http:[^ ]*\).*/\1/p' "$LOG" | head -1)
    [ -n "$BASE" ] && curl -sf -o /dev/null "$BASE$PATH_UNDER_TEST$QUERY" && break
    sleep 0.2
  done
}
stop_gateway() { kill "$GW_PID" 2>/dev/null || true; wait "$GW_PID" 2>/dev/null || true; }
trap stop_gateway EXIT

args_for() { # off|on
  case "$FEATURE:$1" in
    metrics:off) echo "--Monitor:MetricsEnabled=false" ;;
    metrics:on) echo "--Monitor:MetricsEnabled=true" ;;
    *:off) echo "" ;;
    access:on) echo "--Gateway:Access:AllowFile=$ACL_FILE --Gateway:Signing:Required=true --Gateway:Signing:Keys:bench=$KEY" ;;
    accesslog:on) echo "--Gateway:AccessLog:Enabled=true --Gateway:AccessLog:Format=${ACCESSLOG_FORMAT:-Text} --Gateway:AccessLog:Path=${ACCESSLOG_PATH:-/tmp/gw-overhead-access.log}" ;;
    recording:on) echo "--Recorder:Recordings:0:Name=bench --Recorder:Recordings:0:Url=/hls/demo/live.m3u8 --Recorder:OutputDirectory=$(mktemp -d)" ;;
  esac
}

QUERY=""
if [ "$FEATURE" = access ]; then
  KEY=$(head -c 32 /dev/urandom | base64 -w0)
  ACL_FILE=$(mktemp /tmp/acl.XXXXXX)
  # Gateway:Access:AllowFile: 127.0.0.0/8 (wrk) + 99,999 /32s on every other 10.x address, so they stay
  # 100k separate ranges (adjacent /32s would merge into a handful and make the lookup trivially cheap)
  { echo 127.0.0.0/8; awk 'BEGIN { for (i = 0; i < 99999; i++) { n = i * 2; printf "10.%d.%d.%d/32\n", int(n / 65536) % 256, int(n / 256) % 256, n % 256 } }'; } > "$ACL_FILE"
fi

for round in $(seq 1 "$ROUNDS"); do
  for mode in off on; do
    QUERY=""
    if [ "$FEATURE" = access ] && [ "$mode" = on ]; then
      # signed offline by the sign subcommand, before start-up: the readiness probe needs the signed URL
      QUERY="?$(dotnet "$DLL" sign "$PATH_UNDER_TEST" --ttl 3600 --kid bench --Gateway:Signing:Keys:bench="$KEY" | sed -n 's/.*?\(.*\)$/\1/p' | tail -1)"
    fi
    start_gateway $(args_for $mode)
    url="$BASE$PATH_UNDER_TEST$QUERY"
    curl -sf -o /dev/null "$url" || { echo "round $round $mode: $url not answering" >&2; cat "$LOG" >&2; exit 1; }
    WARM_SCRAPER=""
    if [ "$FEATURE" = metrics ] && [ "$mode" = on ]; then
      ( t=0; while [ $((t + SCRAPE_EVERY)) -le "$WARMUP" ]; do sleep "$SCRAPE_EVERY"; t=$((t + SCRAPE_EVERY)); curl -s -o /dev/null "$BASE/metrics"; done ) &
      WARM_SCRAPER=$!
    fi
    $WRK_PIN wrk -t2 -c"$CONNS" -d"${WARMUP}s" "$url" >/dev/null 2>&1 || true   # warm-up
    [ -n "$WARM_SCRAPER" ] && wait "$WARM_SCRAPER"
    scrape=""
    if [ "$FEATURE" = metrics ] && [ "$mode" = on ]; then
      # a Prometheus-like scraper: every SCRAPE_EVERY s while wrk saturates the gateway, each scrape timed
      ( t=0; while [ $((t + SCRAPE_EVERY)) -le "$DURATION" ]; do sleep "$SCRAPE_EVERY"; t=$((t + SCRAPE_EVERY)); curl -s -o /dev/null -w '%{time_total}\n' "$BASE/metrics"; done ) > /tmp/scrape.$$ &
      SCRAPER=$!
    fi
    rps=$($WRK_PIN wrk -t2 -c"$CONNS" -d"${DURATION}s" "$url" | awk '/Requests\/sec/ {print $2}')
    if [ "$FEATURE" = metrics ] && [ "$mode" = on ]; then wait "$SCRAPER"; scrape=$(sort -n /tmp/scrape.$$ | awk '{a[NR]=$1} END {printf "%.1f,\"metrics_scrape_max_ms\":%.1f,\"scrapes\":%d", a[int((NR+1)/2)]*1000, a[NR]*1000, NR}'); rm -f /tmp/scrape.$$; fi
    printf '{"feature":"%s","round":%s,"mode":"%s","pinned":%s,"rps":%s%s}\n' "$FEATURE" "$round" "$mode" "$PIN" "$rps" "${scrape:+,\"metrics_scrape_median_ms\":$scrape}" | tee -a "$OUT"
    stop_gateway
    [ "$FEATURE" = accesslog ] && rm -f "${ACCESSLOG_PATH:-/tmp/gw-overhead-access.log}"   # not to fill /tmp
  done
done
python3 - "$OUT" "$FEATURE" <<'PY' | tee -a "${OUT%.jsonl}.txt"
import json, statistics, sys
rows = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
off = {r["round"]: r["rps"] for r in rows if r["mode"] == "off"}
on = {r["round"]: r["rps"] for r in rows if r["mode"] == "on"}
ratios = [on[k] / off[k] for k in sorted(off) if k in on]
print(f"{sys.argv[2]}: off {statistics.mean(off.values()):.0f} rps, on {statistics.mean(on.values()):.0f} rps (mean of {len(off)} rounds): "
      f"on/off = {statistics.mean(on.values()) / statistics.mean(off.values()):.3f}; per round {', '.join(f'{x:.2f}' for x in ratios)} (median {statistics.median(ratios):.3f})")
scr = [r for r in rows if "metrics_scrape_median_ms" in r]
if scr:
    print(f"/metrics scrapes under load: {sum(r['scrapes'] for r in scr)} scrapes, median of round medians {statistics.median(r['metrics_scrape_median_ms'] for r in scr):.1f} ms, max {max(r['metrics_scrape_max_ms'] for r in scr):.1f} ms")
PY
