#!/usr/bin/env bash
# run-upload-serving-ab.sh - players' cached-hit rps with uploads running vs paused, inside ONE gateway process:
# alternating windows of wrk on the demo VOD playlist, uploads paused (POST /admin/recordings/uploads/pause) in
# "off" windows and running in "on" windows, pair order alternating (off-on, on-off, ...) to cancel drift. On this
# VM single 10 s windows vary by ±10 % even within one process, so many short pairs in one process measure the
# ratio far more tightly than a few restarts (run-upload-serving.sh). Uploads: PARTS hard links of a PART_MB file
# queued for a tus server (@tus/server + file store) on loopback. Per window: rps, MiB/s that reached the target,
# CPU of the gateway and of the tus server. Output: benchmarks/results/upload-ab-<date>.jsonl + summary.
# CONFIGS: space-separated names, each a gateway run of PAIRS pairs: "default" (the shipped configuration),
# "normal" (Recorder:Upload:CpuPriority=Normal), "nofloor" (Idle, MinBytesPerSecond=0), "floor16" (16 MiB/s floor),
# "unlimited" (Normal priority, no busy cap).
# PIN=1 (default): the gateway on CPU 0; wrk and the tus server (in production another machine) on CPU 1.
# Env: PIN (1), CONFIGS (default normal), PAIRS (20), WINDOW (10), WARMUP (30), CONNS (32), PARTS (16), PART_MB (1024), TUS_PORT (18771).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT="$PWD"
PIN="${PIN:-1}"; CONFIGS="${CONFIGS:-default normal}"; PAIRS="${PAIRS:-20}"; WINDOW="${WINDOW:-10}"; WARMUP="${WARMUP:-30}"; CONNS="${CONNS:-32}"
PARTS="${PARTS:-16}"; PART_MB="${PART_MB:-1024}"; TUS_PORT="${TUS_PORT:-18771}"
STAMP="$(date -u +%Y-%m-%dT%H%M%SZ)"
OUT="$ROOT/benchmarks/results/upload-ab-$STAMP.jsonl"
TOKEN=bench-ab
. benchmarks/upload-bench-lib.sh
# CPU N's busy and total ticks from /proc/stat (the busy share of a window is the ratio of their differences)
cpu_sample() { awk -v c="cpu$1" '$1 == c { idle = $5 + $6; total = 0; for (i = 2; i <= 9; i++) total += $i; print total - idle, total }' /proc/stat; }
admin() { curl -sf -X POST -H "Authorization: Bearer $TOKEN" "$BASE/admin/recordings/uploads/$1" >/dev/null; }
stored() { du -sb "$store" | cut -f1; }

echo "{\"label\":\"meta\",\"date\":\"$STAMP\",\"cpus\":$(nproc),\"pinned\":$PIN,\"pairs\":$PAIRS,\"window_s\":$WINDOW,\"parts\":$PARTS,\"part_bytes\":$BYTES,\"conns\":$CONNS}" | tee -a "$OUT"
for config in $CONFIGS; do
  rec="$WORK/rec"; store="$WORK/store"; rm -rf "$rec" "$store"; mkdir -p "$store"
  queue_parts "$rec" "$PARTS"
  start_tus "$store" "$WORK/tus.log"
  args=(--Recorder:OutputDirectory="$rec" --Recorder:Upload:Target=Tus --Recorder:Upload:TusUrl="http://127.0.0.1:$TUS_PORT/files/" --Gateway:Admin:Token=$TOKEN)
  case "$config" in
    default) ;;
    normal) args+=(--Recorder:Upload:CpuPriority=Normal) ;;
    nofloor) args+=(--Recorder:Upload:MinBytesPerSecond=0) ;;
    floor16) args+=(--Recorder:Upload:MinBytesPerSecond=16777216) ;;
    unlimited) args+=(--Recorder:Upload:CpuPriority=Normal --Recorder:Upload:BusyMaxBytesPerSecond=0) ;;
    *) echo "unknown config $config" >&2; exit 2 ;;
  esac
  start_gateway "${args[@]}"
  url="$BASE$PATH_UNDER_TEST"
  $CLIENT_PIN wrk -t2 -c"$CONNS" -d"${WARMUP}s" "$url" >/dev/null 2>&1 || true
  for pair in $(seq 1 "$PAIRS"); do
    order="off on"; [ $((pair % 2)) = 0 ] && order="on off"
    for state in $order; do
      if [ "$state" = off ]; then
        admin pause
        # the request in flight (one PATCH) finishes first: wait until the target stops growing
        last=-1; for _ in $(seq 1 60); do cur=$(stored); [ "$cur" = "$last" ] && break; last=$cur; sleep 0.5; done
      else
        admin resume; sleep 1
      fi
      s0=$(stored); gw0=$(ticks "$GW_PID"); tus0=$(ticks "$TUS_PID"); c0=($(cpu_sample 0)); c1=($(cpu_sample 1))
      rps=$($CLIENT_PIN wrk -t2 -c"$CONNS" -d"${WINDOW}s" "$url" | awk '/Requests\/sec/ {print $2}')
      gw_cpu=$(echo "($(ticks "$GW_PID") - $gw0) / $(getconf CLK_TCK) / $WINDOW" | bc -l); tus_cpu=$(echo "($(ticks "$TUS_PID") - $tus0) / $(getconf CLK_TCK) / $WINDOW" | bc -l)
      c0b=($(cpu_sample 0)); c1b=($(cpu_sample 1))
      busy0=$(echo "(${c0b[0]} - ${c0[0]}) / (${c0b[1]} - ${c0[1]})" | bc -l); busy1=$(echo "(${c1b[0]} - ${c1[0]}) / (${c1b[1]} - ${c1[1]})" | bc -l)
      mib=$(echo "($(stored) - $s0) / 1048576 / $WINDOW" | bc -l)
      printf '{"config":"%s","pair":%s,"state":"%s","rps":%s,"upload_mib_s":%.1f,"gateway_cpu_cores":%.2f,"tus_cpu_cores":%.2f,"cpu0_busy":%.2f,"cpu1_busy":%.2f}\n' \
        "$config" "$pair" "$state" "$rps" "$mib" "$gw_cpu" "$tus_cpu" "$busy0" "$busy1" | tee -a "$OUT"
    done
  done
  pending=$(curl -s -H "Authorization: Bearer $TOKEN" "$BASE/admin/recordings/uploads" | python3 -c 'import json,sys; print(json.load(sys.stdin)["summary"]["pending"])' 2>/dev/null || echo "?")
  echo "{\"config\":\"$config\",\"label\":\"end\",\"parts_pending\":\"$pending\"}" | tee -a "$OUT"
  stop_gateway
  stop_tus
done
python3 - "$OUT" <<'PY' | tee "${OUT%.jsonl}.txt"
import json, statistics, sys
rows = [json.loads(l) for l in open(sys.argv[1]) if l.strip() and '"state"' in l]
for config in dict.fromkeys(r["config"] for r in rows):
    rs = [r for r in rows if r["config"] == config]
    off = {r["pair"]: r for r in rs if r["state"] == "off"}
    on = {r["pair"]: r for r in rs if r["state"] == "on"}
    pairs = sorted(set(off) & set(on))
    ratios = [on[p]["rps"] / off[p]["rps"] for p in pairs]
    m_off = statistics.mean(off[p]["rps"] for p in pairs); m_on = statistics.mean(on[p]["rps"] for p in pairs)
    se = statistics.stdev(ratios) / len(ratios) ** 0.5 if len(ratios) > 1 else float("nan")
    print(f"{config}: {len(pairs)} pairs; paused {m_off:.0f} rps, uploading {m_on:.0f} rps: on/off = {m_on / m_off:.3f} "
          f"(pair ratios median {statistics.median(ratios):.3f}, mean {statistics.mean(ratios):.3f} ± {se:.3f} s.e.); "
          f"uploads {statistics.mean(on[p]['upload_mib_s'] for p in pairs):.1f} MiB/s in 'on' windows, {statistics.mean(off[p]['upload_mib_s'] for p in pairs):.1f} in 'off'; "
          f"gateway CPU {statistics.mean(off[p]['gateway_cpu_cores'] for p in pairs):.2f} / {statistics.mean(on[p]['gateway_cpu_cores'] for p in pairs):.2f}, "
          f"tus server {statistics.mean(on[p]['tus_cpu_cores'] for p in pairs):.2f} cores while uploading")
PY
