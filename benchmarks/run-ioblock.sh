#!/usr/bin/env bash
# run-ioblock.sh - A/B of Gateway:Hosting:IoBlockSize (the block size of Kestrel's connection pipes) against nginx,
# in one run: each round measures nginx, then the gateway with each block size (a fresh process each), on the same
# rows as run-bench.sh: the 670 KB cached segment over TLS h1 (wrk 64 conns), TLS h2 (h2load 32 x 10 streams and
# 64 x 1), the cached playlist over TLS h2 and the segment over cleartext h1. Loopback only; uses ../shared/bench.
# Env: BLOCKS ("0 65536"; 0 = Kestrel's own 4 KB pool; flags after a colon, comma-separated: "65536:nocoalesce" = that
# size with Gateway:Tls:CoalesceWrites false, "65536:nodirect" = with Gateway:Tls:DirectSend false, "65536:alt" = the
# gateway built at ALT_DLL instead, e.g. a worktree of the previous commit, for an A/B of a code change;
# "65536:dll=/path/Gateway.dll" = that build, for more than one other build in a run), ROUNDS (2),
# DURATION (8), WARMUP (2), BENCH, SKIP_NGINX (0), ONLY_ROWS ("" = all; "tls_h2" = the TLS h2 segment rows only;
# "tls_h1" = the TLS h1 playlist and segment rows only).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT="$PWD"
BENCH="${BENCH:-$ROOT/../shared/bench}"; HLS_DIR="${HLS_DIR:-/tmp/bench-hls}"
BLOCKS="${BLOCKS:-0 65536}"; ROUNDS="${ROUNDS:-2}"
export DURATION="${DURATION:-8}" WARMUP="${WARMUP:-2}"
PEER_TLS_DIR="${PEER_PREFIX:-/tmp/bench-nginx-peer}/tls"
STAMP="$(date -u +%Y-%m-%dT%H%M%SZ)"
OUT="$ROOT/benchmarks/results/ioblock-$STAMP.jsonl"
[ -f "$HLS_DIR/vod/720p/seg_005.ts" ] || bash "$BENCH/make-hls.sh" "$HLS_DIR"
bash "$BENCH/origin.sh" start >/dev/null; bash "$BENCH/peer-nginx.sh" start >/dev/null
dotnet build src/Gateway -c Release -nologo -v q >/dev/null
PIDFILE="$(mktemp /tmp/gw-ioblock.XXXXXX.pid)"
stop_gw() { kill "$(cat "$PIDFILE" 2>/dev/null)" 2>/dev/null || true; sleep 1; }
trap 'stop_gw; rm -f "$PIDFILE"' EXIT
export CURL_CA_BUNDLE="$PEER_TLS_DIR/cert.pem"
rows() { # label tls-base h1-base pidfile
  local label=$1 tls=$2 h1=$3 pidf=$4
  local only=${ONLY_ROWS:-}
  [ "$only" = tls_h2 ] || TESTS="m3u8 ts" SERVER_PIDFILE="$pidf" bash "$BENCH/load.sh" "$tls" "$label" \
    | sed 's/"test":"m3u8"/"test":"tls_h1_m3u8"/; s/"test":"ts"/"test":"tls_h1_ts"/'
  [ "$only" = tls_h1 ] && return
  PLAYLIST_PATH=/vod/720p/seg_005.ts TESTS=h2c_m3u8 SERVER_PIDFILE="$pidf" bash "$BENCH/load.sh" "$tls" "$label" | sed 's/"test":"h2c_m3u8"/"test":"tls_h2_ts"/'
  H2_CONNS=64 H2_STREAMS=1 PLAYLIST_PATH=/vod/720p/seg_005.ts TESTS=h2c_m3u8 SERVER_PIDFILE="$pidf" bash "$BENCH/load.sh" "$tls" "$label" | sed 's/"test":"h2c_m3u8"/"test":"tls_h2_ts_1s"/'
  [ -n "$only" ] && return
  TESTS=h2c_m3u8 SERVER_PIDFILE="$pidf" bash "$BENCH/load.sh" "$tls" "$label" | sed 's/"test":"h2c_m3u8"/"test":"tls_h2_m3u8"/'
  TESTS="ts" SERVER_PIDFILE="$pidf" bash "$BENCH/load.sh" "$h1" "$label"
}
{
  echo "{\"label\":\"meta\",\"date\":\"$STAMP\",\"cpus\":$(nproc),\"blocks\":\"$BLOCKS\",\"rounds\":$ROUNDS,\"duration_s\":$DURATION,\"load\":\"$(cut -d' ' -f1-3 /proc/loadavg)\"}"
  for round in $(seq 1 "$ROUNDS"); do
    [ "${SKIP_NGINX:-0}" = 1 ] || rows nginx-proxy-cache https://127.0.0.1:18443 http://127.0.0.1:18081 /tmp/bench-nginx-peer/logs/nginx.pid | sed "s/^{/{\"round\":$round,/"
    for variant in $BLOCKS; do
      blk="${variant%%:*}"; flags=",${variant#"$blk"}"; flags="${flags/:/},"
      coalesce=true; direct=true; inlinecomp=true
      case "$flags" in *,nocoalesce,*) coalesce=false;; esac
      case "$flags" in *,nodirect,*) direct=false;; esac
      case "$flags" in *,noinlinecomp,*) inlinecomp=false;; esac
      case "$flags" in *,inlinecomp,*) inlinecomp=true;; esac
      dll=src/Gateway/bin/Release/net10.0/Gateway.dll
      case "$flags" in *,alt,*) dll="${ALT_DLL:?ALT_DLL: the Gateway.dll to compare with}";; esac
      case "$flags" in *,dll=*) dll="${flags#*,dll=}"; dll="${dll%%,*}";; esac
      DOTNET_gcServer=1 dotnet "$dll" \
        --Kestrel:Endpoints:Http:Url=http://127.0.0.1:18090 --Gateway:Origins:bench=http://127.0.0.1:18080 \
        --Gateway:Tls:Url=https://127.0.0.1:18493 --Gateway:Tls:CertificatePath="$PEER_TLS_DIR/cert.pem" --Gateway:Tls:KeyPath="$PEER_TLS_DIR/key.pem" \
        --Gateway:Hosting:IoBlockSize="$blk" --Gateway:Tls:CoalesceWrites=$coalesce --Gateway:Tls:DirectSend=$direct --Gateway:Hosting:InlineSocketCompletions=$inlinecomp --Gateway:Cache:MasterPlaylistTtl=00:00:01 --Gateway:Cache:VodPlaylistTtl=00:00:01 \
        --Logging:LogLevel:Default=Warning >/tmp/gw-ioblock.log 2>&1 &
      echo $! > "$PIDFILE"
      for _ in $(seq 1 100); do curl -sf -o /dev/null http://127.0.0.1:18090/hls/bench/vod/720p/seg_005.ts && break; sleep 0.2; done
      rows "gateway-block-$variant" https://127.0.0.1:18493/hls/bench http://127.0.0.1:18090/hls/bench "$PIDFILE" | sed "s/^{/{\"round\":$round,/"
      stop_gw
    done
  done
} | tee "$OUT"
python3 - "$OUT" <<'PY'
import json, sys, collections
rows = collections.defaultdict(list)
for line in open(sys.argv[1]):
    r = json.loads(line)
    if r.get("label") == "meta" or "rps" not in r: continue
    cpu = r.get("server_cpu_us_per_req")
    rows[(r["test"], r["label"])].append(f'{r["rps"]:,.0f}' + (f' ({cpu:,.0f} us, p99 {r["lat_p99_ms"]} ms)' if cpu else ''))
tests = sorted({t for t, _ in rows}); labels = sorted({l for _, l in rows})
print("req/s (server CPU us per request, p99), one per round")
for t in tests:
    for l in labels:
        if rows.get((t, l)): print(t.ljust(14), l.ljust(34), " / ".join(rows[(t, l)]))
PY
echo "raw: $OUT"
