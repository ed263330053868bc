#!/usr/bin/env bash
# run-upload-bench.sh - upload throughput: the recorder's tus target vs curl uploading the same file to the
# same tus server (@tus/server + file store on loopback, one PATCH of the whole file), and the directory
# target vs cp + sync. Prints JSON lines and the ratios; writes benchmarks/results/upload-<date>.jsonl.
# Env: MB (file size, default 256), TUS_PORT (18770), CHUNK (tus target chunk bytes, default: Recorder:Upload:ChunkSize's default).
set -euo pipefail
command -v bc >/dev/null || { echo "run-upload-bench.sh needs bc (apt-get install bc)"; exit 1; }
cd "$(dirname "$0")/.."
ROOT="$PWD"
MB="${MB:-256}"; TUS_PORT="${TUS_PORT:-18770}"
STAMP="$(date -u +%Y-%m-%dT%H%M%SZ)"
OUT="$ROOT/benchmarks/results/upload-$STAMP.jsonl"; mkdir -p "$(dirname "$OUT")"
WORK="$(mktemp -d /tmp/upload-bench.XXXXXX)"
[ -d tests/node_modules/@tus/server ] || (cd tests && npm install --no-audit --no-fund --loglevel=error)

node tests/tus-server.mjs "$TUS_PORT" "$WORK/store" > "$WORK/tus.log" 2>&1 &
TUS_PID=$!
cleanup() { kill "$TUS_PID" 2>/dev/null || true; rm -rf "$WORK"; }
trap cleanup EXIT
mkdir -p "$WORK/store"
for _ in $(seq 1 100); do curl -s -o /dev/null "http://127.0.0.1:$TUS_PORT/files/" && break; sleep 0.1; done

head -c "$((MB * 1024 * 1024))" /dev/urandom > "$WORK/file.bin"
BYTES=$(stat -c %s "$WORK/file.bin")
echo "{\"label\":\"meta\",\"date\":\"$STAMP\",\"cpus\":$(nproc),\"mb\":$MB,\"node\":\"$(node --version)\",\"curl\":\"$(curl --version | head -1 | cut -d' ' -f2)\"}" | tee -a "$OUT"

# curl: tus create (POST) + one PATCH of the whole file (curl -T streams it from disk)
curl_run() {
  local loc start end
  loc=$(curl -s -i -X POST -H 'Tus-Resumable: 1.0.0' -H "Upload-Length: $BYTES" "http://127.0.0.1:$TUS_PORT/files/" | tr -d '\r' | awk 'tolower($1)=="location:"{print $2}')
  start=$(date +%s.%N)
  curl -s -o /dev/null -f -T "$WORK/file.bin" -X PATCH -H 'Tus-Resumable: 1.0.0' -H 'Upload-Offset: 0' \
    -H 'Content-Type: application/offset+octet-stream' "$loc"
  end=$(date +%s.%N)
  echo "$start $end"
}
read -r s e < <(curl_run)
CURL_S=$(echo "$e - $s" | bc -l)
echo "{\"label\":\"curl-tus-patch\",\"bytes\":$BYTES,\"transfer_s\":$(printf %.3f "$CURL_S"),\"transfer_MBps\":$(printf %.1f "$(echo "$MB / $CURL_S" | bc -l)")}" | tee -a "$OUT"

s=$(date +%s.%N); cp "$WORK/file.bin" "$WORK/copy.bin"; sync -f "$WORK/copy.bin"; e=$(date +%s.%N)
CP_S=$(echo "$e - $s" | bc -l)
echo "{\"label\":\"cp+sync\",\"bytes\":$BYTES,\"transfer_s\":$(printf %.3f "$CP_S"),\"transfer_MBps\":$(printf %.1f "$(echo "$MB / $CP_S" | bc -l)")}" | tee -a "$OUT"

# the recorder's targets (tus with the default 4 MiB chunks, directory with fsync), via the throughput test
DOTNET_CLI_TELEMETRY_OPTOUT=1 UPLOAD_BENCH_MB="$MB" UPLOAD_BENCH_TUS_URL="http://127.0.0.1:$TUS_PORT/files/" UPLOAD_BENCH_OUT="$WORK/dotnet.jsonl" UPLOAD_BENCH_CHUNK="${CHUNK:-}" \
  dotnet test tests/Recorder.Tests -c Release -nologo -v q --filter "FullyQualifiedName~UploadThroughputTests" >"$WORK/test.log" 2>&1 \
  || { cat "$WORK/test.log"; exit 1; }
tee -a "$OUT" < "$WORK/dotnet.jsonl"

TUS_S=$(grep '"tus-target"' "$WORK/dotnet.jsonl" | grep -o '"transfer_s":[0-9.]*' | cut -d: -f2)
# the directory target's fsync and re-read come after its last progress report: compare its total with cp+sync
DIR_S=$(grep '"directory-target"' "$WORK/dotnet.jsonl" | grep -o '"with_verify_s":[0-9.]*' | cut -d: -f2)
printf 'tus target vs curl (same server, same file): throughput ratio %.2f\n' "$(echo "$CURL_S / $TUS_S" | bc -l)" | tee -a "$OUT"
printf 'directory target (incl. fsync + re-read verify) vs cp+sync: throughput ratio %.2f\n' "$(echo "$CP_S / $DIR_S" | bc -l)" | tee -a "$OUT"
