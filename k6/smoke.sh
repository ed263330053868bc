#!/usr/bin/env bash
# smoke.sh K6_BINARY - 20-second k6 smoke of live-players.js against the gateway's demo channel.
# Starts the gateway (Release build) on a free loopback port, runs k6, stops the gateway.
# Exits non-zero when a k6 threshold is breached or the gateway does not come up.
set -euo pipefail
K6="${1:?usage: smoke.sh K6_BINARY}"
cd "$(dirname "$0")/.."
DLL=src/Gateway/bin/Release/net10.0/Gateway.dll
[ -f "$DLL" ] || dotnet build src/Gateway -c Release -nologo -v q
LOG=$(mktemp /tmp/gw-smoke.XXXXXX.log)
# port 0: the gateway prints the address it got
dotnet "$DLL" --Kestrel:Endpoints:Http:Url="http://127.0.0.1:0" >"$LOG" 2>&1 &
GW=$!
trap 'kill $GW 2>/dev/null; wait $GW 2>/dev/null || true' EXIT
BASE=""
for _ in $(seq 1 300); do
  BASE=$(sed -n 's/^HLS gateway listening on \(http:[^ ]*\).*/\1/p' "$LOG" | head -1)
  [ -n "$BASE" ] && curl -sf -o /dev/null "$BASE/hls/demo/live.m3u8" && break
  sleep 0.2
done
[ -n "$BASE" ] && curl -sf -o /dev/null "$BASE/hls/demo/live.m3u8" || { echo "smoke: gateway did not come up"; cat "$LOG"; exit 1; }
echo "smoke: gateway at $BASE"
timeout 120 "$K6" run --quiet -e BASE_URL="$BASE" -e VUS="${VUS:-20}" -e RAMP=2s -e DURATION=18s k6/live-players.js
