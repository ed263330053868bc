#!/usr/bin/env bash
# bypass-origin-count.sh - origin requests and bytes for objects above Gateway:Cache:MaxEntryBytes (X-Cache: BYPASS).
# A node origin (bypass-origin.mjs) serves one 64 MiB object and counts requests and the bytes its sockets took.
# For each scenario a fresh gateway (default MaxEntryBytes 32 MiB) is started, CLIENTS curl clients fetch the object
# at once, then one more client fetches it (the "too large" memo is warm). Counts, not timings: safe on a busy machine.
# Env: DLL (gateway build to measure; default: build this tree), LABEL (before|after), SIZE (bytes, 64 MiB).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT="$PWD"
LABEL="${LABEL:-after}"; SIZE="${SIZE:-67108864}"
STAMP="$(date -u +%Y-%m-%dT%H%M%SZ)"
OUT="$ROOT/benchmarks/results/bypass-origin-$LABEL-$STAMP.jsonl"
if [ -z "${DLL:-}" ]; then dotnet build src/Gateway -c Release -nologo -v q; DLL=src/Gateway/bin/Release/net10.0/Gateway.dll; fi

OLOG=$(mktemp /tmp/bypass-origin.XXXXXX.log)
SIZE=$SIZE node benchmarks/bypass-origin.mjs >"$OLOG" 2>&1 &
ORIGIN_PID=$!
ORIGIN=""
for _ in $(seq 1 100); do ORIGIN=$(sed -n 's/^origin listening on \(http:[^ ]*\).*/\1/p' "$OLOG"); [ -n "$ORIGIN" ] && break; sleep 0.1; done
GW_PID=""
cleanup() { [ -n "$GW_PID" ] && { kill "$GW_PID" 2>/dev/null || true; wait "$GW_PID" 2>/dev/null || true; }; kill "$ORIGIN_PID" 2>/dev/null || true; }
trap cleanup EXIT

start_gateway() {
  LOG=$(mktemp /tmp/bypass-gw.XXXXXX.log)
  dotnet "$DLL" --Kestrel:Endpoints:Http:Url=http://127.0.0.1:0 --Logging:LogLevel:Default=Warning --Gateway:Origins:o="$ORIGIN" >"$LOG" 2>&1 &
  GW_PID=$!
  BASE=""
  for _ in $(seq 1 300); do
    BASE=$(sed -n 's/^HLS gateway listening on \(http:[^ ]*\).*/\1/p' "$LOG" | head -1)
    [ -n "$BASE" ] && curl -sf -o /dev/null "$BASE/health" && break
    sleep 0.2
  done
}
stop_gateway() { kill "$GW_PID" 2>/dev/null || true; wait "$GW_PID" 2>/dev/null || true; GW_PID=""; }
stats() { curl -s "$ORIGIN/__stats"; }

for CLIENTS in 1 50; do
  start_gateway
  curl -s -o /dev/null "$ORIGIN/__reset"
  ok=0; pids=()
  for i in $(seq 1 "$CLIENTS"); do curl -s -o /dev/null -w '%{http_code} %{size_download}\n' "$BASE/hls/o/vod/big.mp4" >"/tmp/bypass-c$i.txt" & pids+=($!); done
  for p in "${pids[@]}"; do wait "$p" || true; done
  for i in $(seq 1 "$CLIENTS"); do [ "$(cat /tmp/bypass-c$i.txt)" = "200 $SIZE" ] && ok=$((ok + 1)); done
  sleep 0.5
  cold=$(stats)
  curl -s -o /dev/null "$ORIGIN/__reset"
  warm_ok=0; [ "$(curl -s -o /dev/null -w '%{http_code} %{size_download}' "$BASE/hls/o/vod/big.mp4")" = "200 $SIZE" ] && warm_ok=1
  sleep 0.5
  warm=$(stats)
  stop_gateway
  line=$(printf '{"label":"%s","object_bytes":%s,"clients":%s,"complete":%s,"origin":%s,"then_one_more_client":{"complete":%s,"origin":%s}}' "$LABEL" "$SIZE" "$CLIENTS" "$ok" "$cold" "$warm_ok" "$warm")
  echo "$line" | tee -a "$OUT"
done
echo "wrote $OUT"
