#!/usr/bin/env bash
# One self-contained executable of weft per platform, for machines without the .NET SDK:
#   scripts/publish.sh RID [dotnet publish options...]     RID: linux-x64, linux-arm64, osx-arm64, win-x64
# writes artifacts/publish/RID/weft (weft.exe on Windows) with models/weft-tiny.gguf beside it (OUT=DIR for another
# folder). The runtime packs come from NuGet. Extra options go to dotnet publish, e.g. -p:PublishTrimmed=true.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
rid=${1:-}
case "$rid" in
  linux-x64 | linux-arm64 | osx-arm64 | win-x64) ;;
  *) echo "usage: scripts/publish.sh linux-x64|linux-arm64|osx-arm64|win-x64 [dotnet publish options...]" >&2; exit 2 ;;
esac
shift
out=${OUT:-artifacts/publish/$rid}
# Native libraries (SQLite's) travel inside the file and are extracted on first run; the model stays beside it,
# because weft maps model files from disk.
dotnet publish src/Weft.Cli/Weft.Cli.csproj -c Release -r "$rid" --self-contained \
  -p:PublishSingleFile=true -p:IncludeNativeLibrariesForSelfExtract=true -p:DebugType=embedded \
  -o "$out" -nologo "$@"
exe=$out/weft; [ "$rid" = win-x64 ] && exe=$out/weft.exe
[ -f "$exe" ] || { echo "publish.sh: $exe was not written" >&2; exit 1; }
[ -f "$out/models/weft-tiny.gguf" ] || { echo "publish.sh: $out/models/weft-tiny.gguf was not written" >&2; exit 1; }
echo "publish.sh: $exe ($(du -h "$exe" | cut -f1)), models/weft-tiny.gguf beside it"
