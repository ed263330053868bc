#!/usr/bin/env bash
# tls-syscalls.sh - where TLS HTTP/2 segment serving spends its syscalls: strace counts the socket writes
# (by size) of the gateway (Gateway:Tls:CoalesceWrites false, then true) and of the nginx peer's workers
# while h2load fetches the cached 670 KB segment 100 times (4 connections x 1 stream) over TLS h2.
# Needs: strace, h2load, the origin and the peer of ../shared/bench running (run-bench.sh starts them; or
# bash $BENCH/origin.sh start && bash $BENCH/peer-nginx.sh start). Output: one JSON line per server.
set -euo pipefail
cd "$(dirname "$0")/.."
P="${PEER_PREFIX:-/tmp/bench-nginx-peer}/tls"; N="${N:-100}"
buckets() { grep -E "sendmsg|sendto|write\(" "$1" | grep -oE "= [0-9]+$" | awk -v label="$2" -v n="$N" '
  { s=$2; t+=s; k++; if (s<1000) a++; else if (s<5000) b++; else if (s<17000) c++; else if (s<66000) d++; else e++ }
  END { printf "{\"label\":\"%s\",\"requests\":%d,\"writes\":%d,\"bytes\":%d,\"writes_per_req\":%.1f,\"lt1k\":%d,\"1k_5k\":%d,\"5k_17k\":%d,\"17k_66k\":%d,\"gt66k\":%d}\n", label, n, k, t, k/n, a, b, c, d, e }'; }
dotnet build src/Gateway -c Release -nologo -v q >/dev/null
for c in false true; do
  dotnet src/Gateway/bin/Release/net10.0/Gateway.dll --Kestrel:Endpoints:Http:Url=http://127.0.0.1:18090 \
    --Gateway:Origins:bench=http://127.0.0.1:18080 --Gateway:Tls:Url=https://127.0.0.1:18493 \
    --Gateway:Tls:CertificatePath="$P/cert.pem" --Gateway:Tls:KeyPath="$P/key.pem" --Gateway:Tls:CoalesceWrites=$c \
    --Logging:LogLevel:Default=Warning >/dev/null 2>&1 & GW=$!
  for _ in $(seq 1 100); do curl -skf -o /dev/null https://127.0.0.1:18493/hls/bench/vod/720p/seg_005.ts && break; sleep 0.2; done
  timeout 60 strace -f -p $GW -e trace=write,writev,sendmsg,sendto -o /tmp/tls-syscalls-gw.txt 2>/dev/null & ST=$!; sleep 6
  h2load -n "$N" -c 4 -m 1 https://127.0.0.1:18493/hls/bench/vod/720p/seg_005.ts >/dev/null; sleep 1
  kill $ST; wait $ST 2>/dev/null || true; kill $GW; wait $GW 2>/dev/null || true
  buckets /tmp/tls-syscalls-gw.txt "gateway-coalesce-$c"
done
ARGS=(); for p in $(pgrep -f "nginx: worker|nginx: master"); do ARGS+=(-p "$p"); done
timeout 60 strace -f "${ARGS[@]}" -e trace=write,writev,sendmsg,sendto -o /tmp/tls-syscalls-ngx.txt 2>/dev/null & ST=$!; sleep 6
h2load -n "$N" -c 4 -m 1 https://127.0.0.1:18443/vod/720p/seg_005.ts >/dev/null; sleep 1
kill $ST; wait $ST 2>/dev/null || true
buckets /tmp/tls-syscalls-ngx.txt nginx-proxy-cache
