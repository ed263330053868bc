#!/usr/bin/env bash
# live-origin.sh start|stop - turns the VOD content of ../shared/bench/make-hls.sh into a LIVE channel
# served by the bench origin (origin.sh, nginx on :18080): $HLS_DIR/live-loop/master.m3u8 with two
# renditions whose media playlists slide forward by one segment every SEG seconds (window of 6),
# each new segment under a new name (seg_<n>.ts, a symlink to the VOD segment n mod count), and an
# EXT-X-DISCONTINUITY where the loop wraps. Costs no CPU beyond a few file writes per segment, so the
# proxies under test get the machine (ffmpeg's real-time encode from make-hls.sh --live takes ~a core).
# Env: HLS_DIR (/tmp/bench-hls), SEG (2), WINDOW (6).
set -euo pipefail
HLS_DIR="${HLS_DIR:-/tmp/bench-hls}"
SEG="${SEG:-2}"; WINDOW="${WINDOW:-6}"
OUT="$HLS_DIR/live-loop"
PIDF="/tmp/bench-live-origin.pid"

publish() { # publish RENDITION N  (N = media sequence of the newest segment)
  local r="$1" n="$2" count="$3" first=$(( $2 - WINDOW + 1 )) tmp="$OUT/$1/.index.m3u8.tmp"
  [ "$first" -lt 0 ] && first=0
  ln -sfn "../../vod/$r/$(printf 'seg_%03d.ts' $(( n % count )))" "$OUT/$r/seg_$n.ts"
  rm -f "$OUT/$r/seg_$(( first - 10 )).ts"
  {
    printf '#EXTM3U\n#EXT-X-VERSION:6\n#EXT-X-TARGETDURATION:%s\n#EXT-X-MEDIA-SEQUENCE:%s\n' "$SEG" "$first"
    printf '#EXT-X-DISCONTINUITY-SEQUENCE:%s\n#EXT-X-INDEPENDENT-SEGMENTS\n' $(( first / count ))
    for ((i = first; i <= n; i++)); do
      [ "$i" -gt "$first" ] && [ $(( i % count )) -eq 0 ] && printf '#EXT-X-DISCONTINUITY\n'
      printf '#EXTINF:%s.000000,\nseg_%s.ts\n' "$SEG" "$i"
    done
  } > "$tmp"
  mv -f "$tmp" "$OUT/$r/index.m3u8"   # atomic: a reader sees the old or the new playlist, never half
}

run() {
  local renditions=(360p 720p) count n=0
  count=$(ls "$HLS_DIR/vod/360p"/seg_*.ts | wc -l)
  rm -rf "$OUT"; mkdir -p "$OUT/360p" "$OUT/720p"
  cp "$HLS_DIR/vod/master.m3u8" "$OUT/master.m3u8"
  for ((n = 0; n < WINDOW; n++)); do for r in "${renditions[@]}"; do publish "$r" "$n" "$count"; done; done
  n=$((WINDOW - 1))
  local next=$(( $(date +%s%N) / 1000000 + SEG * 1000 ))
  while :; do
    local now=$(( $(date +%s%N) / 1000000 ))
    [ "$now" -lt "$next" ] && sleep "$(printf '0.%03d' $(( (next - now) > 999 ? 999 : (next - now) )))" && continue
    n=$((n + 1)); next=$((next + SEG * 1000))
    for r in "${renditions[@]}"; do publish "$r" "$n" "$count"; done
  done
}

case "${1:-}" in
  start)
    [ -f "$HLS_DIR/vod/360p/seg_000.ts" ] || { echo "live-origin: no VOD content in $HLS_DIR (run make-hls.sh)" >&2; exit 1; }
    "$0" stop >/dev/null 2>&1 || true
    setsid "$0" _run </dev/null >/dev/null 2>&1 &
    echo $! > "$PIDF"
    for _ in $(seq 1 50); do [ -f "$OUT/720p/index.m3u8" ] && break; sleep 0.1; done
    echo "live-origin: $OUT (master.m3u8), new segment every ${SEG}s" ;;
  _run) run ;;
  stop) [ -f "$PIDF" ] && { kill -- -"$(cat "$PIDF")" 2>/dev/null || kill "$(cat "$PIDF")" 2>/dev/null || true; rm -f "$PIDF"; } ;;
  *) echo "usage: $0 start|stop" >&2; exit 2 ;;
esac
