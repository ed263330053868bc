#!/usr/bin/env bash
# publish.sh [DEST] - framework-dependent Release build of the gateway into DEST (default ./publish/hls-gateway),
# the folder deploy/systemd/hls-gateway.service runs (copy it to /opt/hls-gateway, or pass that as DEST).
set -euo pipefail
cd "$(dirname "$0")/.."
DEST="${1:-$PWD/publish/hls-gateway}"
dotnet publish src/Gateway/Gateway.csproj -c Release -o "$DEST" -nologo -v q -p:UseAppHost=false
mkdir -p "$DEST/docs" && cp docs/operations.md "$DEST/docs/" 2>/dev/null || true
test -f "$DEST/Gateway.dll"
echo "published to $DEST (run: dotnet $DEST/Gateway.dll)"
