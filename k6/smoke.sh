#!/usr/bin/env bash
# smoke.sh K6_BINARY - 20-second k6 smoke of live-players.js against the gateway's demo channel.
# Starts the gateway (Release build) on a free loopback port, runs k6, stops the gateway.
# Exits non-zero when a k6 threshold is breached or the gateway does not come up.
set -euo pipefail
K6="${1:?usage: smoke.sh K6_BINARY}"
cd "$(dirname "$0")/.."
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
DLL=src/Gateway/bin/Release/net10.0/Gateway.dll
[ -f "$DLL" ] || dotnet build src/Gateway -c Release -nologo -v q
LOG=$(mktemp /tmp/gw-smoke.XXXXXX.log)
dotnet "$DLL" --Kestrel:Endpoints:Http:Url="http://127.0.0.1:$PORT" >"$LOG" 2>&1 &
GW=$!
trap 'kill $GW 2>/dev/null; wait $GW 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do
  curl -sf -o /dev/null "http://127.0.0.1:$PORT/hls/demo/live.m3u8" && break
  sleep 0.2
done
curl -sf -o /dev/null "http://127.0.0.1:$PORT/hls/demo/live.m3u8" || { echo "smoke: gateway did not come up"; cat "$LOG"; exit 1; }
timeout 120 "$K6" run --quiet -e BASE_URL="http://127.0.0.1:$PORT" -e VUS="${VUS:-20}" -e RAMP=2s -e DURATION=18s k6/live-players.js
