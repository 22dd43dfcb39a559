#!/usr/bin/env bash
# The gateway load test at full length: three loopback replicas, 16 streaming clients for 60 s (or $1 seconds), one
# replica killed midway and restarted; prints the table (aggregate tokens/s, TTFT p50/p99, errors).
set -euo pipefail
cd "$(dirname "$0")/.."
export WEFT_GATEWAY_LOAD_SECONDS="${1:-60}"
dotnet build tests/Weft.Server.Tests -c Release
dotnet test tests/Weft.Server.Tests -c Release --no-build --filter "FullyQualifiedName~GatewayLoadTests" \
  --logger "console;verbosity=detailed" | grep -E '^ *(gateway load|\|)'
