#!/usr/bin/env bash
# The gateway load tests at full length: three `weft serve` processes of weft-tiny behind a `weft serve` gateway (and
# the same over fake upstreams), 16 streaming clients for 60 s (or $1 seconds), one replica killed midway and started
# again; prints the tables (aggregate tokens/s, TTFT p50/p99, errors, requests per replica).
set -euo pipefail
cd "$(dirname "$0")/.."
export WEFT_GATEWAY_PROCESS_SECONDS="${1:-60}" WEFT_GATEWAY_LOAD_SECONDS="${1:-60}"
dotnet build tests/Weft.Cli.Tests -c Release
dotnet test tests/Weft.Cli.Tests -c Release --no-build --filter "FullyQualifiedName~GatewayProcessLoadTests" \
  --logger "console;verbosity=detailed" | grep -E '^ *(gateway load|\|)'
if [ "${WEFT_GATEWAY_FAKE:-0}" = 1 ]; then
  dotnet build tests/Weft.Server.Tests -c Release
  dotnet test tests/Weft.Server.Tests -c Release --no-build --filter "FullyQualifiedName~GatewayLoadTests" \
    --logger "console;verbosity=detailed" | grep -E '^ *(gateway load|\|)'
fi
