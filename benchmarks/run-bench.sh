#!/usr/bin/env bash
# run-bench.sh - the gateway vs nginx proxy_cache (the peer), in one run, same machine, same content,
# same clients (wrk for HTTP/1.1, h2load for h2c), plus the request-collapsing storm.
# Uses ../shared/bench (origin.sh, peer-nginx.sh, load.sh, storm.sh). Everything on loopback.
# Output: JSON lines in benchmarks/results/<date>.jsonl and a markdown table on stdout.
# Env: DURATION (10), WARMUP (2), CONNS (64), BENCH (path of shared/bench).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT="$PWD"
BENCH="${BENCH:-$ROOT/../shared/bench}"
export HLS_DIR="${HLS_DIR:-/tmp/bench-hls}"
# WARMUP 10 s: the gateway's JIT tiers up (tier-0 -> instrumented -> optimised) under load; nginx gets the same warm-up
export DURATION="${DURATION:-10}" WARMUP="${WARMUP:-10}"
GW_PORT="${GW_PORT:-18090}"; GW_H2C_PORT="${GW_H2C_PORT:-18190}"
STAMP="$(date -u +%Y-%m-%dT%H%M%SZ)"
OUT="$ROOT/benchmarks/results/$STAMP.jsonl"

bash "$BENCH/setup.sh" >/dev/null
[ -f "$HLS_DIR/vod/720p/seg_005.ts" ] || bash "$BENCH/make-hls.sh" "$HLS_DIR"
bash "$BENCH/origin.sh" start
bash "$BENCH/peer-nginx.sh" start

dotnet build src/Gateway -c Release -nologo -v q
GW_LOG="$(mktemp /tmp/gw-bench.XXXXXX.log)"
PIDFILE="$(mktemp /tmp/gw-bench.XXXXXX.pid)"
DOTNET_gcServer=1 dotnet src/Gateway/bin/Release/net10.0/Gateway.dll \
  --Kestrel:Endpoints:Http:Url="http://127.0.0.1:$GW_PORT" \
  --Kestrel:Endpoints:H2c:Url="http://127.0.0.1:$GW_H2C_PORT" --Kestrel:Endpoints:H2c:Protocols=Http2 \
  --Gateway:Origins:bench="http://127.0.0.1:18080" \
  --Gateway:Cache:MasterPlaylistTtl=00:00:01 --Gateway:Cache:VodPlaylistTtl=00:00:01 \
  --Logging:LogLevel:Default=Warning >"$GW_LOG" 2>&1 &
echo $! > "$PIDFILE"
cleanup() { kill "$(cat "$PIDFILE")" 2>/dev/null || true; bash "$BENCH/peer-nginx.sh" stop >/dev/null; bash "$BENCH/origin.sh" stop >/dev/null; rm -f "$PIDFILE"; }
trap cleanup EXIT
for _ in $(seq 1 100); do curl -sf -o /dev/null "http://127.0.0.1:$GW_PORT/hls/bench/vod/720p/index.m3u8" && break; sleep 0.2; done

{
  echo "{\"label\":\"meta\",\"date\":\"$STAMP\",\"cpus\":$(nproc),\"cpu\":\"$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)\",\"dotnet\":\"$(dotnet --version)\",\"nginx\":\"$(nginx -v 2>&1 | cut -d/ -f2)\",\"duration_s\":$DURATION}"
  # playlists are cached 1 s by both (the peer's proxy_cache_valid 200 1s), segments 10 min
  SERVER_PIDFILE=/tmp/bench-nginx-peer/logs/nginx.pid bash "$BENCH/load.sh" http://127.0.0.1:18081 nginx-proxy-cache http://127.0.0.1:18181
  SERVER_PIDFILE="$PIDFILE" bash "$BENCH/load.sh" "http://127.0.0.1:$GW_PORT/hls/bench" gateway "http://127.0.0.1:$GW_H2C_PORT/hls/bench"
  # the 670 KB segment over h2c too (load.sh's h2load test pointed at the segment, renamed h2c_ts)
  PLAYLIST_PATH=/vod/720p/seg_005.ts TESTS=h2c_m3u8 SERVER_PIDFILE=/tmp/bench-nginx-peer/logs/nginx.pid \
    bash "$BENCH/load.sh" http://127.0.0.1:18081 nginx-proxy-cache http://127.0.0.1:18181 | sed 's/"h2c_m3u8"/"h2c_ts"/'
  PLAYLIST_PATH=/vod/720p/seg_005.ts TESTS=h2c_m3u8 SERVER_PIDFILE="$PIDFILE" \
    bash "$BENCH/load.sh" "http://127.0.0.1:$GW_PORT/hls/bench" gateway "http://127.0.0.1:$GW_H2C_PORT/hls/bench" | sed 's/"h2c_m3u8"/"h2c_ts"/'
  # the ceiling for any Kestrel server here: bare Kestrel (no gateway code) writing the same segment from memory
  CEIL_PIDFILE="$(mktemp /tmp/ceiling.XXXXXX.pid)"
  SEG_FILE="$HLS_DIR/vod/720p/seg_005.ts"
  # with inline I/O scheduling, as the gateway runs by default
  CEILING_INLINE=1 DOTNET_gcServer=1 dotnet run -c Release "$ROOT/benchmarks/kestrel-ceiling/ceiling.cs" -- "$SEG_FILE" 18095 >/dev/null 2>&1 &
  for _ in $(seq 1 300); do curl -sf -o /dev/null http://127.0.0.1:18095/ && break; sleep 0.5; done
  pgrep -f "ceiling.dll|kestrel-ceiling/ceiling" | head -1 > "$CEIL_PIDFILE" || true
  TESTS=ts SERVER_PIDFILE="$CEIL_PIDFILE" bash "$BENCH/load.sh" http://127.0.0.1:18095 kestrel-ceiling || true
  pkill -f "kestrel-ceiling/ceiling|ceiling.dll" || true; rm -f "$CEIL_PIDFILE"
  LABEL=nginx-proxy-cache bash "$BENCH/storm.sh" http://127.0.0.1:18081 200
  LABEL=gateway STORM_PREFIX=/hls/bench bash "$ROOT/benchmarks/storm-gateway.sh" "$BENCH" "http://127.0.0.1:$GW_PORT/hls/bench" 200
} | tee "$OUT"

echo
python3 "$ROOT/benchmarks/table.py" "$OUT"
echo "raw: $OUT"
