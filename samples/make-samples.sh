#!/usr/bin/env bash
# Regenerates the demo media in samples/ from ffmpeg's built-in test sources (no input files).
# Output: ts/<rendition>/seg-<i>.ts (MPEG-TS, H.264 + AAC), manifest.json (read by the demo origin
# at start-up, so the gateway never shells out to ffprobe at runtime).
# Encodes are single-threaded and bit-exact so a rerun with the same ffmpeg build gives the same bytes.
set -euo pipefail
cd "$(dirname "$0")"

SEG=2            # segment length, seconds (also the GOP: one IDR at every segment start)
COUNT=6          # segments per loop
FPS=30
LOOP=$((SEG * COUNT))
FONT=/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf

# name width height video-bitrate maxrate bufsize
RENDITIONS=(
  "360p 640 360 500k 550k 1000k"
  "180p 320 180 150k 165k 300k"
)

rm -rf ts manifest.json
mkdir -p ts
entries=()
for r in "${RENDITIONS[@]}"; do
  read -r name w h br maxrate bufsize <<<"$r"
  out="ts/$name"
  mkdir -p "$out"
  vf="format=yuv420p"
  if [[ -f "$FONT" ]]; then
    fs=$((h / 10))
    vf="$vf,drawtext=fontfile=$FONT:text='demo $name  %{pts\\:hms}':x=(w-tw)/2:y=h-th-$((fs / 2)):fontsize=$fs:fontcolor=white:box=1:boxcolor=black@0.6:boxborderw=4"
  fi
  ffmpeg -hide_banner -v error -y \
    -f lavfi -i "testsrc2=size=${w}x${h}:rate=${FPS}:duration=${LOOP}" \
    -f lavfi -i "sine=frequency=440:beep_factor=4:sample_rate=48000:duration=${LOOP}" \
    -vf "$vf" \
    -c:v libx264 -preset medium -profile:v main -level:v 3.0 -threads 1 \
    -b:v "$br" -maxrate "$maxrate" -bufsize "$bufsize" \
    -g $((SEG * FPS)) -keyint_min $((SEG * FPS)) -sc_threshold 0 -force_key_frames "expr:gte(t,n_forced*${SEG})" \
    -c:a aac -b:a 64k -ac 1 -ar 48000 \
    -fflags +bitexact -flags:v +bitexact -flags:a +bitexact \
    -f hls -hls_time "$SEG" -hls_list_size 0 -hls_playlist_type vod -hls_flags independent_segments \
    -hls_segment_filename "$out/seg-%d.ts" -master_pl_name "master.m3u8" "$out/index.m3u8"

  # CODECS as ffmpeg derived it from the SPS / AAC config, then drop ffmpeg's own playlists.
  codecs=$(grep -o 'CODECS="[^"]*"' "$out/master.m3u8" | cut -d'"' -f2)
  rm -f "$out/index.m3u8" "$out/master.m3u8"

  n=$(find "$out" -name 'seg-*.ts' | wc -l)
  [[ "$n" -eq "$COUNT" ]] || { echo "expected $COUNT segments in $out, got $n" >&2; exit 1; }

  segs=()
  total_bytes=0
  peak=0
  for i in $(seq 0 $((COUNT - 1))); do
    f="$out/seg-$i.ts"
    frames=$(ffprobe -v error -select_streams v:0 -count_packets -show_entries stream=nb_read_packets -of csv=p=0 "$f")
    dur=$(awk -v f="$frames" -v r="$FPS" 'BEGIN { printf "%.3f", f / r }')
    [[ "$dur" == "$(printf '%.3f' "$SEG")" ]] || { echo "$f lasts $dur s, expected $SEG" >&2; exit 1; }
    bytes=$(stat -c %s "$f")
    bps=$(awk -v b="$bytes" -v d="$dur" 'BEGIN { printf "%d", (b * 8 / d) + 0.999 }')
    ((bps > peak)) && peak=$bps
    total_bytes=$((total_bytes + bytes))
    segs+=("$(jq -n --arg uri "$f" --argjson d "$dur" --argjson b "$bytes" '{uri: $uri, duration: $d, bytes: $b}')")
  done
  avg=$(awk -v b="$total_bytes" -v d="$LOOP" 'BEGIN { printf "%d", (b * 8 / d) + 0.999 }')
  entries+=("$(printf '%s\n' "${segs[@]}" | jq -s --arg name "$name" --argjson w "$w" --argjson h "$h" --arg codecs "$codecs" \
    --argjson fps "$FPS" --argjson peak "$peak" --argjson avg "$avg" \
    '{name: $name, width: $w, height: $h, codecs: $codecs, frameRate: $fps, bandwidth: $peak, averageBandwidth: $avg, segments: .}')")
done

printf '%s\n' "${entries[@]}" | jq -s '{renditions: .}' > manifest.json
du -sh --apparent-size . | sed 's/^/samples total: /'
