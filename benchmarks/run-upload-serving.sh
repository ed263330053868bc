#!/usr/bin/env bash
# run-upload-serving.sh - players' cached-hit rps while the recorder uploads, vs no uploads, in one run:
# alternating rounds (off, on, ...) of wrk on the demo VOD playlist. "on": the gateway starts with an upload
# journal of PARTS parts (hard links of one GB-sized file) queued for the tus target (@tus/server + file store
# on loopback), so the whole warm-up and measurement run while uploads stream at full loopback speed (hashing,
# PATCHes, verification re-reads included). Output: benchmarks/results/upload-serving-<date>.jsonl + summary.
# MODES (off on capped): "on" is the default configuration (uploads capped at Recorder:Upload:BusyMaxBytesPerSecond,
# 25 MiB/s, only while players are served); "unlimited" turns that off (BusyMaxBytesPerSecond=0: full loopback speed);
# "capped" sets the always-on Recorder:Upload:MaxBytesPerSecond=MAX_BPS (26214400 = 25 MiB/s) with no busy cap.
# Upload threads (Recorder:Upload:CpuPriority): the default ("on") is Idle, SCHED_IDLE above an 8 MiB/s floor of
# work at normal priority (MinBytesPerSecond). "normal": CpuPriority=Normal (the players' priority); "low": nice 19;
# "idle0": Idle without a floor; "floor16": Idle with a 16 MiB/s floor. All of these keep the busy cap.
# PIN=1: the gateway on CPU 0; wrk and the tus server (in production another machine) on CPU 1, so the ratio is
# the gateway's own cost of uploading. CPU seconds of the gateway and the tus server are recorded per window.
# Env: PIN (0), ROUNDS (3), WARMUP (30), DURATION (10), CONNS (32), PARTS (8), PART_MB (1024), TUS_PORT (18771), MODES, MAX_BPS.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT="$PWD"
ROUNDS="${ROUNDS:-3}"; WARMUP="${WARMUP:-30}"; DURATION="${DURATION:-10}"; CONNS="${CONNS:-32}"
MODES="${MODES:-off on capped}"; PIN="${PIN:-0}"
MAX_BPS="${MAX_BPS:-26214400}"
PARTS="${PARTS:-8}"; PART_MB="${PART_MB:-1024}"; TUS_PORT="${TUS_PORT:-18771}"
STAMP="$(date -u +%Y-%m-%dT%H%M%SZ)"
OUT="$ROOT/benchmarks/results/upload-serving-$STAMP.jsonl"
. benchmarks/upload-bench-lib.sh

echo "{\"label\":\"meta\",\"date\":\"$STAMP\",\"cpus\":$(nproc),\"max_bps\":$MAX_BPS,\"parts\":$PARTS,\"part_bytes\":$BYTES,\"warmup_s\":$WARMUP,\"duration_s\":$DURATION}" | tee -a "$OUT"
for round in $(seq 1 "$ROUNDS"); do
  for mode in $MODES; do
    args=()
    if [ "$mode" != off ]; then
      rec="$WORK/rec-$round"; store="$WORK/store-$round"; mkdir -p "$store"
      queue_parts "$rec" "$PARTS"
      start_tus "$store" "$WORK/tus-$round.log"
      args=(--Recorder:OutputDirectory="$rec" --Recorder:Upload:Target=Tus --Recorder:Upload:TusUrl="http://127.0.0.1:$TUS_PORT/files/")
      [ "$mode" = capped ] && args+=(--Recorder:Upload:MaxBytesPerSecond="$MAX_BPS" --Recorder:Upload:BusyMaxBytesPerSecond=0 --Recorder:Upload:CpuPriority=Normal)
      [ "$mode" = unlimited ] && args+=(--Recorder:Upload:BusyMaxBytesPerSecond=0 --Recorder:Upload:CpuPriority=Normal)
      [ "$mode" = normal ] && args+=(--Recorder:Upload:CpuPriority=Normal)
      [ "$mode" = low ] && args+=(--Recorder:Upload:CpuPriority=Low)
      [ "$mode" = idle0 ] && args+=(--Recorder:Upload:MinBytesPerSecond=0)
      [ "$mode" = floor16 ] && args+=(--Recorder:Upload:MinBytesPerSecond=16777216)
    fi
    start_gateway "${args[@]}"
    url="$BASE$PATH_UNDER_TEST"
    $CLIENT_PIN wrk -t2 -c"$CONNS" -d"${WARMUP}s" "$url" >/dev/null 2>&1 || true
    before=$(curl -s "$BASE/stats" | python3 -c 'import json,sys; d=json.load(sys.stdin); print(sum(1 for u in d.get("uploads", []) if u.get("state") == "uploading"))' 2>/dev/null || echo 0)
    sent0=0
    [ "$mode" != off ] && sent0=$(du -sb "$store" | cut -f1)
    gw0=$(ticks "$GW_PID"); tus0=$(ticks "$TUS_PID")
    rps=$($CLIENT_PIN wrk -t2 -c"$CONNS" -d"${DURATION}s" "$url" | awk '/Requests\/sec/ {print $2}')
    gw_cpu=$(echo "($(ticks "$GW_PID") - $gw0) / $(getconf CLK_TCK) / $DURATION" | bc -l); tus_cpu=$(echo "($(ticks "$TUS_PID") - $tus0) / $(getconf CLK_TCK) / $DURATION" | bc -l)
    after=$(curl -s "$BASE/stats" | python3 -c 'import json,sys; d=json.load(sys.stdin); print(sum(1 for u in d.get("uploads", []) if u.get("state") == "uploading"))' 2>/dev/null || echo 0)
    sent=0
    [ "$mode" != off ] && sent=$(du -sb "$store" | cut -f1)
    window_mb_s=$(echo "($sent - $sent0) / 1048576 / $DURATION" | bc -l)
    printf '{"round":%s,"mode":"%s","pinned":%s,"rps":%s,"gateway_cpu_cores":%.2f,"tus_cpu_cores":%.2f,"uploading_at_start":%s,"uploading_at_end":%s,"bytes_at_target":%s,"upload_mib_s_in_window":%.1f}\n' \
      "$round" "$mode" "$PIN" "$rps" "$gw_cpu" "$tus_cpu" "$before" "$after" "$sent" "$window_mb_s" | tee -a "$OUT"
    stop_gateway
    if [ "$mode" != off ]; then stop_tus; rm -rf "$rec" "$store"; fi
  done
done
python3 - "$OUT" <<'PY' | tee -a "${OUT%.jsonl}.txt"
import json, statistics, sys
rows = [json.loads(l) for l in open(sys.argv[1]) if l.strip() and '"mode"' in l]
off = {r["round"]: r["rps"] for r in rows if r["mode"] == "off"}
for mode in ("on", "unlimited", "capped", "normal", "low", "idle0", "floor16"):
    on = {r["round"]: r["rps"] for r in rows if r["mode"] == mode}
    if not on:
        continue
    ratios = [on[k] / off[k] for k in sorted(off) if k in on]
    busy = all(r["uploading_at_start"] > 0 and r["uploading_at_end"] > 0 for r in rows if r["mode"] == mode)
    print(f"uploads running ({mode}): off {statistics.mean(off.values()):.0f} rps, {mode} {statistics.mean(on.values()):.0f} rps: {mode}/off = "
          f"{statistics.mean(on.values()) / statistics.mean(off.values()):.3f}; per round {', '.join(f'{x:.2f}' for x in ratios)} "
          f"(median {statistics.median(ratios):.3f}); uploads active through every measured window: {busy}")
for mode in ("off", "on", "unlimited", "capped", "normal", "low", "idle0", "floor16"):
    rs = [r for r in rows if r["mode"] == mode and "gateway_cpu_cores" in r]
    if rs:
        print(f"  {mode}: gateway {statistics.mean(r['gateway_cpu_cores'] for r in rs):.2f} cores, tus server {statistics.mean(r['tus_cpu_cores'] for r in rs):.2f} cores, "
              f"{statistics.mean(r['rps'] for r in rs):.0f} rps, uploads {statistics.mean(r.get('upload_mib_s_in_window', 0) for r in rs):.1f} MiB/s in the measured windows")
PY
