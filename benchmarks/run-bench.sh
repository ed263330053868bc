#!/usr/bin/env bash
# run-bench.sh - the gateway vs nginx proxy_cache (the peer), in one run, same machine, same content,
# same clients (wrk for HTTP/1.1, h2load for h2c), plus the request-collapsing storm.
# Uses ../shared/bench (origin.sh, peer-nginx.sh, load.sh, storm.sh). Everything on loopback.
# Output: JSON lines in benchmarks/results/<date>.jsonl and a markdown table on stdout.
# TLS rows (TLS=1, default): both servers over TLS 1.3 with the peer's self-signed ECDSA P-256 cert
# ($PEER_PREFIX/tls/), nginx on :18443 (ssl http2), the gateway on Gateway:Tls:Url :18493 (h2 + HTTP/1.1 by ALPN):
# tls_h1_m3u8 / tls_h1_ts (wrk), tls_h2_m3u8 / tls_h2_ts (h2load 32 conns x 10 streams) and tls_h2_ts_1s
# (h2load 64 conns x 1 stream: one request in flight per connection, as a player).
# Env: DURATION (10), WARMUP (2), CONNS (64), BENCH (path of shared/bench), TLS (1), ONLY_TLS (0: all rows).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT="$PWD"
BENCH="${BENCH:-$ROOT/../shared/bench}"
export HLS_DIR="${HLS_DIR:-/tmp/bench-hls}"
# WARMUP 10 s: the gateway's JIT tiers up (tier-0 -> instrumented -> optimised) under load; nginx gets the same warm-up
export DURATION="${DURATION:-10}" WARMUP="${WARMUP:-10}"
GW_PORT="${GW_PORT:-18090}"; GW_H2C_PORT="${GW_H2C_PORT:-18190}"; GW_TLS_PORT="${GW_TLS_PORT:-18493}"
TLS="${TLS:-1}"; ONLY_TLS="${ONLY_TLS:-0}"
PEER_TLS_DIR="${PEER_PREFIX:-/tmp/bench-nginx-peer}/tls"
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
  --Gateway:Tls:Url="https://127.0.0.1:$GW_TLS_PORT" \
  --Gateway:Tls:CertificatePath="$PEER_TLS_DIR/cert.pem" --Gateway:Tls:KeyPath="$PEER_TLS_DIR/key.pem" \
  --Gateway:Cache:MasterPlaylistTtl=00:00:01 --Gateway:Cache:VodPlaylistTtl=00:00:01 \
  --Logging:LogLevel:Default=Warning >"$GW_LOG" 2>&1 &
echo $! > "$PIDFILE"
cleanup() { kill "$(cat "$PIDFILE")" 2>/dev/null || true; bash "$BENCH/peer-nginx.sh" stop >/dev/null; bash "$BENCH/origin.sh" stop >/dev/null; rm -f "$PIDFILE"; }
trap cleanup EXIT
for _ in $(seq 1 100); do curl -sf -o /dev/null "http://127.0.0.1:$GW_PORT/hls/bench/vod/720p/index.m3u8" && break; sleep 0.2; done
[ -f "$PEER_TLS_DIR/cert.pem" ] || { echo "run-bench: no peer cert in $PEER_TLS_DIR (peer-nginx.sh makes it)" >&2; exit 1; }

{
  echo "{\"label\":\"meta\",\"date\":\"$STAMP\",\"cpus\":$(nproc),\"cpu\":\"$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)\",\"dotnet\":\"$(dotnet --version)\",\"nginx\":\"$(nginx -v 2>&1 | cut -d/ -f2)\",\"duration_s\":$DURATION}"
  if [ "$ONLY_TLS" != "1" ]; then
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
  fi
  if [ "$TLS" = "1" ]; then
    # TLS rows: same cert, same client, same content. curl (load.sh's probe) trusts the peer's self-signed cert;
    # wrk and h2load do not verify certificates.
    export CURL_CA_BUNDLE="$PEER_TLS_DIR/cert.pem"
    NGX_TLS=https://127.0.0.1:18443; GW_TLS="https://127.0.0.1:$GW_TLS_PORT/hls/bench"
    for pair in "nginx-proxy-cache|$NGX_TLS|/tmp/bench-nginx-peer/logs/nginx.pid" "gateway|$GW_TLS|$PIDFILE"; do
      IFS='|' read -r label base pidf <<<"$pair"
      TESTS="m3u8 ts" SERVER_PIDFILE="$pidf" bash "$BENCH/load.sh" "$base" "$label" \
        | sed 's/"test":"m3u8"/"test":"tls_h1_m3u8"/; s/"test":"ts"/"test":"tls_h1_ts"/'
      TESTS=h2c_m3u8 SERVER_PIDFILE="$pidf" bash "$BENCH/load.sh" "$base" "$label" | sed 's/"test":"h2c_m3u8"/"test":"tls_h2_m3u8"/'
      PLAYLIST_PATH=/vod/720p/seg_005.ts TESTS=h2c_m3u8 SERVER_PIDFILE="$pidf" bash "$BENCH/load.sh" "$base" "$label" \
        | sed 's/"test":"h2c_m3u8"/"test":"tls_h2_ts"/'
      H2_CONNS=64 H2_STREAMS=1 PLAYLIST_PATH=/vod/720p/seg_005.ts TESTS=h2c_m3u8 SERVER_PIDFILE="$pidf" bash "$BENCH/load.sh" "$base" "$label" \
        | sed 's/"test":"h2c_m3u8"/"test":"tls_h2_ts_1s"/'
    done
    # the ceiling over TLS: bare Kestrel + SslStream (no gateway code) writing the same segment from memory
    CEIL_PIDFILE="$(mktemp /tmp/ceiling.XXXXXX.pid)"
    CEILING_INLINE=1 CEILING_TLS_CERT="$PEER_TLS_DIR/cert.pem" CEILING_TLS_KEY="$PEER_TLS_DIR/key.pem" DOTNET_gcServer=1 \
      dotnet run -c Release "$ROOT/benchmarks/kestrel-ceiling/ceiling.cs" -- "$HLS_DIR/vod/720p/seg_005.ts" 18096 >/dev/null 2>&1 &
    for _ in $(seq 1 300); do curl -sf -o /dev/null https://localhost:18096/ && break; sleep 0.5; done
    pgrep -f "ceiling.dll|kestrel-ceiling/ceiling" | head -1 > "$CEIL_PIDFILE" || true
    TESTS=ts SERVER_PIDFILE="$CEIL_PIDFILE" bash "$BENCH/load.sh" https://localhost:18096 kestrel-ceiling | sed 's/"test":"ts"/"test":"tls_h1_ts"/' || true
    PLAYLIST_PATH=/ TESTS=h2c_m3u8 SERVER_PIDFILE="$CEIL_PIDFILE" bash "$BENCH/load.sh" https://localhost:18096 kestrel-ceiling | sed 's/"test":"h2c_m3u8"/"test":"tls_h2_ts"/' || true
    H2_CONNS=64 H2_STREAMS=1 PLAYLIST_PATH=/ TESTS=h2c_m3u8 SERVER_PIDFILE="$CEIL_PIDFILE" bash "$BENCH/load.sh" https://localhost:18096 kestrel-ceiling | sed 's/"test":"h2c_m3u8"/"test":"tls_h2_ts_1s"/' || true
    pkill -f "kestrel-ceiling/ceiling|ceiling.dll" || true; rm -f "$CEIL_PIDFILE"
    unset CURL_CA_BUNDLE
  fi
} | tee "$OUT"

echo
python3 "$ROOT/benchmarks/table.py" "$OUT"
echo "raw: $OUT"
