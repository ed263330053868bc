#!/usr/bin/env bash
# test.sh - installs what the tests need (Debian packages) and runs the whole test suite.
# Usage: ./test.sh [extra dotnet test args]      (CI: .ci/run calls this)
# Fails when any test fails, when no test ran, or when the k6 smoke breaks a threshold.
set -euo pipefail
cd "$(dirname "$0")"
ROOT="$PWD"

# ---- 1. tools from Debian's packages (only what is missing) ----------------
need=()
for pair in redis-server:redis-server ffmpeg:ffmpeg ffprobe:ffmpeg chromium:chromium nginx:nginx wrk:wrk \
            h2load:nghttp2-client prometheus:prometheus promtool:prometheus curl:curl node:nodejs \
            systemd-analyze:systemd haproxy:haproxy; do   # systemd-analyze verify: deploy/systemd/hls-gateway.service; haproxy: docs/health.md's balancer check
  cmd="${pair%%:*}"; pkg="${pair#*:}"
  if ! command -v "$cmd" >/dev/null 2>&1 && [ ! -x "/usr/sbin/$cmd" ] && [ ! -x "/usr/bin/$cmd" ]; then need+=("$pkg"); fi
done
if [ "${#need[@]}" -gt 0 ]; then
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  echo "test.sh: installing ${need[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends $(printf '%s\n' "${need[@]}" | sort -u) >/dev/null
fi
# the packaged services are not used (tests start their own on free loopback ports)
for svc in redis-server nginx prometheus haproxy; do
  (command -v systemctl >/dev/null && systemctl is-active --quiet "$svc" && systemctl stop "$svc") 2>/dev/null || true
done

# ---- 2. npm packages some tests drive (installed locally under tests/) -----
if [ -f tests/package.json ] && [ ! -d tests/node_modules ]; then
  (cd tests && npm install --no-audit --no-fund --loglevel=error)
fi

# ---- 3. build + the whole test suite ----------------------------------------
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
dotnet build Gateway.sln -c Release -warnaserror -nologo -v q
RESULTS="$ROOT/TestResults"
rm -rf "$RESULTS"; mkdir -p "$RESULTS"
set +e
dotnet test Gateway.sln -c Release --no-build --logger "trx" --logger "console;verbosity=normal" \
  --results-directory "$RESULTS" --blame-hang-timeout 5m "$@" 2>&1 | tee "$RESULTS/dotnet-test.log" \
  | grep -E --line-buffered '^\s*(Passed|Failed|Skipped) |Passed!|Failed!|error|Error Message|Assert'
rc=${PIPESTATUS[0]}
set -e

# totals from the TRX files (what actually ran)
passed=0; failed=0; skipped=0
for trx in $(find "$RESULTS" -name '*.trx'); do
  counters=$(grep -o '<Counters [^>]*>' "$trx" | head -1)
  n() { printf '%s' "$counters" | grep -o " $1=\"[0-9]*\"" | grep -o '[0-9]*' || echo 0; }
  passed=$((passed + $(n passed)))
  failed=$((failed + $(n failed) + $(n error) + $(n timeout) + $(n aborted)))
  skipped=$((skipped + $(n notExecuted)))
done
if [ "$rc" -ne 0 ] && [ "$failed" -eq 0 ]; then failed=1; fi   # a crashed/aborted run counts as a failure

# ---- 4. k6 smoke against the demo channel (when k6 is present) -------------
K6="${K6:-$ROOT/../shared/tools/k6}"
if [ -x "$K6" ]; then
  echo "test.sh: k6 smoke (20 s of k6/live-players.js against the demo channel)"
  if ! bash k6/smoke.sh "$K6"; then echo "test.sh: k6 smoke FAILED (threshold breach or error)"; failed=$((failed + 1)); else passed=$((passed + 1)); fi
else
  echo "test.sh: k6 not found at $K6 - the k6 smoke did NOT run (CI always has it)"
fi

# CI shows only the tail of the output: repeat every failure (name, message, first stack lines) here
if [ "$failed" -ne 0 ] || [ "$rc" -ne 0 ]; then
  echo "test.sh: ---- failures ----"
  awk '/^[[:space:]]*Failed [A-Za-z]/ {n=25} n>0 {print; n--}' "$RESULTS/dotnet-test.log" | head -150
  if [ "$failed" -ne 0 ] && ! grep -qE '^[[:space:]]*Failed [A-Za-z]' "$RESULTS/dotnet-test.log"; then
    echo "test.sh: dotnet test exited $rc without naming a failed test; its last lines:"
    tail -40 "$RESULTS/dotnet-test.log"
  fi
fi
echo "tests: $passed passed, $failed failed, $skipped skipped"
if [ "$passed" -eq 0 ]; then echo "test.sh: no test ran"; exit 1; fi
if [ "$failed" -ne 0 ] || [ "$rc" -ne 0 ]; then exit 1; fi
if [ "$skipped" -ne 0 ]; then echo "test.sh: $skipped test(s) skipped - skipping is not allowed"; exit 1; fi
exit 0
