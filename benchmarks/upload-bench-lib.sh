# upload-bench-lib.sh - sourced from the repo root by run-upload-serving.sh and run-upload-serving-ab.sh once
# PIN, PART_MB and TUS_PORT are set. Builds the gateway, makes WORK (removed on exit, with the processes below)
# holding a PART_MB source file of random bytes (BYTES), and defines: queue_parts, start_tus / stop_tus,
# start_gateway / stop_gateway (BASE = its URL) and ticks (CPU ticks of a pid). PIN=1 puts the gateway on CPU 0
# and the clients (wrk, the tus server: in production another machine) on CPU 1.
GW_PIN=""; CLIENT_PIN=""
if [ "$PIN" = 1 ]; then GW_PIN="taskset -c 0"; CLIENT_PIN="taskset -c 1"; fi
DLL=src/Gateway/bin/Release/net10.0/Gateway.dll
PATH_UNDER_TEST="/hls/demo/vod.m3u8"
[ -d tests/node_modules/@tus/server ] || (cd tests && npm install --no-audit --no-fund --loglevel=error)
dotnet build src/Gateway -c Release -nologo -v q

WORK="$(mktemp -d /tmp/upload-bench.XXXXXX)"
GW_PID=""; TUS_PID=""
cleanup() { [ -n "$GW_PID" ] && kill "$GW_PID" 2>/dev/null; [ -n "$TUS_PID" ] && kill "$TUS_PID" 2>/dev/null; rm -rf "$WORK"; true; }
trap cleanup EXIT
head -c "$((PART_MB * 1024 * 1024))" /dev/urandom > "$WORK/source.bin"
BYTES=$(stat -c %s "$WORK/source.bin")

ticks() { [ -n "$1" ] && [ -r "/proc/$1/stat" ] || { echo 0; return; }; local s; s="$(cat "/proc/$1/stat")"; s="${s##*) }"; set -- $s; echo $(( ${12} + ${13} )); }

queue_parts() { # REC PARTS: PARTS hard links of the source under REC/bench and an upload journal that queues them
  local rec="$1" parts="$2" now i
  mkdir -p "$rec/bench" "$rec/.uploads"
  now=$(date -u +%Y-%m-%dT%H:%M:%SZ)
  { echo "["; for i in $(seq 1 "$parts"); do
      ln "$WORK/source.bin" "$rec/bench/p$(printf %03d "$i").mp4"
      printf '{"Sequence":%d,"Recording":"bench","Part":%d,"Path":"bench/p%03d.mp4","Bytes":%d,"State":"queued","EnqueuedUtc":"%s"}%s\n' \
        "$i" "$i" "$i" "$BYTES" "$now" "$([ "$i" -lt "$parts" ] && echo ,)"
    done; echo "]"; } > "$rec/.uploads/queue.json"
}

start_tus() { # STORE LOG: @tus/server with its file store on TUS_PORT
  $CLIENT_PIN node tests/tus-server.mjs "$TUS_PORT" "$1" > "$2" 2>&1 &
  TUS_PID=$!
  for _ in $(seq 1 100); do curl -s -o /dev/null "http://127.0.0.1:$TUS_PORT/files/" && break; sleep 0.1; done
}
stop_tus() { kill "$TUS_PID" 2>/dev/null || true; wait "$TUS_PID" 2>/dev/null || true; TUS_PID=""; }

start_gateway() { # args: extra gateway args; returns once PATH_UNDER_TEST answers
  local log="$WORK/gateway.log"
  $GW_PIN env DOTNET_gcServer=1 dotnet "$DLL" --Kestrel:Endpoints:Http:Url=http://127.0.0.1:0 --Logging:LogLevel:Default=Warning "$@" >"$log" 2>&1 &
  GW_PID=$!
  BASE=""
  for _ in $(seq 1 300); do
    BASE=$(sed -n 's/^HLS gateway listening on \(http:[^ ]*\).*/\1/p' "$log" | head -1)
    [ -n "$BASE" ] && curl -sf -o /dev/null "$BASE$PATH_UNDER_TEST" && break
    sleep 0.2
  done
}
stop_gateway() { kill "$GW_PID" 2>/dev/null || true; wait "$GW_PID" 2>/dev/null || true; GW_PID=""; }
