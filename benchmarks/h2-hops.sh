#!/usr/bin/env bash
# h2-hops.sh - thread-pool work items (each a thread wake-up) and server CPU per response on the TLS h2 segment rows,
# for gateway variants side by side with nginx in every round. The work items are the runtime's own count
# (system_runtime_dotnet_thread_pool_work_item_count on /metrics), so they do not move with the machine's speed the
# way req/s and CPU do on this VM.
# Usage: bash benchmarks/h2-hops.sh "label|/path/Gateway.dll|ENV=1 ENV2=2" ...   (no argument: this build as is)
# Env: ROUNDS (2), DUR (8 s per row), SHAPES ("64x1 32x10": h2load connections x streams), IDLE (0; 1 = players'
# shape instead: 400 connections x 1 stream at 2 req/s each, so every request meets an idle connection, on the
# segment and the playlist), BENCH. Output: JSON lines in benchmarks/results/h2hops-<date>.jsonl. Loopback only.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT="$PWD"; BENCH="${BENCH:-$ROOT/../shared/bench}"; HLS_DIR="${HLS_DIR:-/tmp/bench-hls}"
ROUNDS="${ROUNDS:-2}"; DUR="${DUR:-8}"; SHAPES="${SHAPES:-64x1 32x10}"; IDLE="${IDLE:-0}"
P="${PEER_PREFIX:-/tmp/bench-nginx-peer}/tls"; SEG=/vod/720p/seg_005.ts
OUT="$ROOT/benchmarks/results/h2hops-$(date -u +%Y-%m-%dT%H%M%SZ).jsonl"
[ -f "$HLS_DIR$SEG" ] || bash "$BENCH/make-hls.sh" "$HLS_DIR"
bash "$BENCH/origin.sh" start >/dev/null; bash "$BENCH/peer-nginx.sh" start >/dev/null
if [ $# -eq 0 ]; then dotnet build src/Gateway -c Release -nologo -v q >/dev/null; set -- "gateway|src/Gateway/bin/Release/net10.0/Gateway.dll|"; fi
GW=""; trap '[ -n "$GW" ] && kill $GW 2>/dev/null || true' EXIT
work_items() { curl -s http://127.0.0.1:18090/metrics | awk '/^system_runtime_dotnet_thread_pool_work_item_count /{print $2}'; }
ticks() { local t=0 q; for q in $1 $(pgrep -P "$1"); do t=$((t + $(awk '{print $14+$15}' "/proc/$q/stat"))); done; echo $t; }
row() { # round label pid url-base path conns streams [rps]
  local round=$1 label=$2 pid=$3 url=$4$5 c=$6 m=$7 rate=${8:-} a b w1=0 w2=0 out n
  local load=(h2load -t 2 -c "$c" -m "$m"); [ -n "$rate" ] && load+=(--rps "$rate")
  [ -n "$rate" ] || "${load[@]}" -D 3 "$url" >/dev/null 2>&1 || true
  a=$(ticks "$pid"); [ "$label" = nginx ] || w1=$(work_items)
  out="$("${load[@]}" -D "$DUR" "$url" 2>&1 || true)"
  b=$(ticks "$pid"); [ "$label" = nginx ] || w2=$(work_items)
  n=$(awk '/^requests:/{print $8}' <<<"$out"); [ "${n:-0}" -gt 0 ] || { echo "h2-hops: $label $url: no responses" >&2; return; }
  printf '{"round":%s,"label":"%s","path":"%s","conns":%s,"streams":%s,"rps_per_conn":"%s","responses":%s,"rps":%s,"server_cpu_us_per_req":%s,"work_items_per_req":%s}\n' \
    "$round" "$label" "$5" "$c" "$m" "$rate" "$n" "$(awk '/^finished/{print $4}' <<<"$out")" \
    "$(( (b - a) * 1000000 / $(getconf CLK_TCK) / n ))" "$(awk -v a="$w1" -v b="$w2" -v n="$n" 'BEGIN{printf "%.1f", (b-a)/n}')"
}
rows() { # round label pid url-base
  if [ "$IDLE" = 1 ]; then
    for path in "$SEG" /vod/720p/index.m3u8; do row "$1" "$2" "$3" "$4" "$path" 400 1 2; done
  else
    for shape in $SHAPES; do row "$1" "$2" "$3" "$4" "$SEG" "${shape%x*}" "${shape#*x}"; done
  fi
}
for round in $(seq 1 "$ROUNDS"); do
  rows "$round" nginx "$(cat /tmp/bench-nginx-peer/logs/nginx.pid)" https://127.0.0.1:18443
  for v in "$@"; do
    IFS='|' read -r label dll envs <<<"$v"
    # shellcheck disable=SC2086 # envs is a list of NAME=value words
    env $envs DOTNET_gcServer=1 dotnet "$dll" --Kestrel:Endpoints:Http:Url=http://127.0.0.1:18090 \
      --Gateway:Origins:bench=http://127.0.0.1:18080 --Gateway:Tls:Url=https://127.0.0.1:18493 \
      --Gateway:Tls:CertificatePath="$P/cert.pem" --Gateway:Tls:KeyPath="$P/key.pem" --Gateway:Cache:VodPlaylistTtl=00:10:00 \
      --Logging:LogLevel:Default=Warning >/tmp/gw-h2hops.log 2>&1 & GW=$!
    for _ in $(seq 1 100); do curl -sf -o /dev/null "http://127.0.0.1:18090/hls/bench$SEG" && break; sleep 0.2; done
    h2load -t 2 -c 32 -m 4 -D 10 "https://127.0.0.1:18493/hls/bench$SEG" >/dev/null 2>&1 || true # JIT tiering
    rows "$round" "$label" "$GW" https://127.0.0.1:18493/hls/bench
    kill $GW; wait $GW 2>/dev/null || true; GW=""
  done
done | tee "$OUT"
echo "raw: $OUT"
