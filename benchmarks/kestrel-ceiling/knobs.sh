#!/usr/bin/env bash
# knobs.sh - bare Kestrel (ceiling.cs) under each transport setting vs nginx proxy_cache on the same 670 KB
# segment, same wrk (64 connections, 10 s), two rounds: is there any Kestrel setting that reaches nginx here?
# Settings: CEILING_INLINE (UnsafePreferInlineScheduling) x CEILING_BUFFER (MaxResponseBufferSize, -1 = default 64 KiB,
# 0 = unlimited). Loopback only; uses ../shared/bench (origin.sh, peer-nginx.sh, make-hls.sh content in /tmp/bench-hls).
set -u
cd "$(dirname "$0")/../.."
BENCH=../shared/bench
SEG=/tmp/bench-hls/vod/720p/seg_005.ts
[ -f "$SEG" ] || bash $BENCH/make-hls.sh /tmp/bench-hls
bash $BENCH/origin.sh start >/dev/null 2>&1; bash $BENCH/peer-nginx.sh start >/dev/null 2>&1
curl -s -o /dev/null http://127.0.0.1:18081/vod/720p/seg_005.ts; curl -s -o /dev/null http://127.0.0.1:18081/vod/720p/seg_005.ts
dotnet build -c Release benchmarks/kestrel-ceiling/ceiling.cs >/dev/null 2>&1 || true
run() { wrk -t2 -c64 -d10s "$1" | awk '/Requests\/sec/ {print $2}'; }
for round in 1 2; do
  echo "nginx: $(run http://127.0.0.1:18081/vod/720p/seg_005.ts) req/s"
  for cfg in "0 -1" "1 -1" "0 0" "1 0" "1 1048576"; do
    set -- $cfg
    CEILING_INLINE=$1 CEILING_BUFFER=$2 DOTNET_gcServer=1 dotnet run -c Release --no-build benchmarks/kestrel-ceiling/ceiling.cs -- $SEG 18095 >/dev/null 2>&1 &
    for _ in $(seq 1 100); do curl -sf -o /dev/null http://127.0.0.1:18095/ && break; sleep 0.2; done
    wrk -t2 -c64 -d5s http://127.0.0.1:18095/ >/dev/null
    echo "kestrel inline=$1 buffer=$2: $(run http://127.0.0.1:18095/) req/s"
    pkill -f "kestrel-ceiling/ceiling|ceiling.dll"; sleep 1
  done
done
bash $BENCH/peer-nginx.sh stop >/dev/null 2>&1; bash $BENCH/origin.sh stop >/dev/null 2>&1
