#!/usr/bin/env bash
# soak-recorder.sh [MINUTES] - recorder memory over a long recording: the gateway records the demo
# live channel (1-minute parts, remuxed to MP4) while a few players watch; every 30 s it samples the
# process RSS and the managed heap (from /metrics). Prints JSON lines and a first-vs-last summary.
# Runs from a published copy, so rebuilding the repo meanwhile does not touch the running binary.
set -euo pipefail
cd "$(dirname "$0")/.."
MINUTES="${1:-30}"
STAMP="$(date -u +%Y-%m-%dT%H%M%SZ)"
OUT="benchmarks/results/soak-recorder-$STAMP.jsonl"
PUB=$(mktemp -d /tmp/soak-gw.XXXXXX); REC=$(mktemp -d /tmp/soak-rec.XXXXXX)
dotnet publish src/Gateway -c Release -o "$PUB" -nologo -v q >/dev/null
LOG="$PUB/gateway.log"
dotnet "$PUB/Gateway.dll" --Kestrel:Endpoints:Http:Url=http://127.0.0.1:0 --Logging:LogLevel:Default=Warning \
  --Recorder:OutputDirectory="$REC" --Recorder:SplitSeconds=60 \
  --Recorder:Recordings:0:Name=soak --Recorder:Recordings:0:Url=/hls/demo/live.m3u8 >"$LOG" 2>&1 &
GW=$!
trap 'kill $GW 2>/dev/null; kill $(jobs -p) 2>/dev/null; wait 2>/dev/null; true' EXIT
BASE=""
for _ in $(seq 1 300); do
  BASE=$(sed -n 's/^HLS gateway listening on \(http:[^ ]*\).*/\1/p' "$LOG" | head -1); [ -n "$BASE" ] && break; sleep 0.2
done
[ -n "$BASE" ] || { cat "$LOG"; exit 1; }
# a few players (bounded by the soak's length)
for p in 1 2 3 4 5; do
  ( end=$((SECONDS + MINUTES * 60)); while [ $SECONDS -lt $end ]; do
      pl=$(curl -sf "$BASE/hls/demo/live.m3u8") || true
      for s in $(printf '%s\n' "$pl" | grep -v '^#' | tail -2); do curl -sf -o /dev/null "$BASE/hls/demo/$s" || true; done
      sleep 2
    done ) &
done
for i in $(seq 0 $((MINUTES * 2))); do
  rss=$(awk '/VmRSS/ {print $2 * 1024}' /proc/$GW/status)
  heap=$(curl -sf "$BASE/metrics" | awk '/^dotnet_total_memory_bytes / {printf "%d", $2}')
  files=$(find "$REC" -type f | wc -l); bytes=$(du -sb "$REC" | cut -f1)
  printf '{"t_s":%d,"rss_bytes":%s,"managed_heap_bytes":%s,"output_files":%s,"output_bytes":%s}\n' $((i * 30)) "$rss" "${heap:-0}" "$files" "$bytes" | tee -a "$OUT"
  [ "$i" -lt $((MINUTES * 2)) ] && sleep 30
done
curl -sf "$BASE/stats" > "${OUT%.jsonl}-stats.json" || true
awk -F'[:,]' 'NR<=10 {a+=$4; n++} {l[NR]=$4} END {for(i=NR-9;i<=NR;i++) b+=l[i]; printf "RSS first 5 min avg %.1f MB, last 5 min avg %.1f MB (%d samples)\n", a/n/1048576, b/10/1048576, NR}' "$OUT" | tee "${OUT%.jsonl}.txt"
ls -la "$REC"/* | tail -5
