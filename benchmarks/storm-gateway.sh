#!/usr/bin/env bash
# storm-gateway.sh BENCH_DIR GATEWAY_BASE CLIENTS - shared/bench/storm.sh, for a proxy whose URL
# prefix (/hls/<origin>) differs from the origin's path: a fresh copy of a real segment under a
# unique name, CLIENTS simultaneous GETs through the gateway, origin hits counted from its log.
set -euo pipefail
BENCH="$1"; BASE="$2"; CLIENTS="${3:-200}"
. "$BENCH/common.sh"
rel="vod/720p/storm-gw-$(date +%s)-$$-$RANDOM.ts"
cp "$HLS_DIR/vod/720p/seg_005.ts" "$HLS_DIR/$rel"
trap 'rm -f "$HLS_DIR/$rel"' EXIT
count() { awk -F'\t' -v p="/$rel" '$3 == p { n++ } END { print n + 0 }' "$ORIGIN_LOG"; }
client=$(timeout 60 node "$BENCH/storm.js" "$BASE/$rel" "$CLIENTS" 30000)
prev=-1; hits=0
for _ in $(seq 1 20); do hits=$(count); [ "$hits" -eq "$prev" ] && break; prev=$hits; sleep 0.25; done
printf '{"label":"%s","test":"storm","path":"/%s","clients":%s,"origin_hits":%s,"client":%s}\n' "${LABEL:-gateway}" "$rel" "$CLIENTS" "$hits" "$client"
