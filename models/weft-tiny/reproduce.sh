#!/usr/bin/env bash
# Rebuilds weft-tiny from nothing: the corpus from Debian's bible-kjv-text, the tokenizer and the model with
# `weft train`, then copies the results (model, metrics, chart, evaluation) into this folder.
#   models/weft-tiny/reproduce.sh [--resume] [-t THREADS]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
if ! command -v bible > /dev/null; then
    echo "# installing Debian's bible-kjv (the text is in bible-kjv-text)" >&2
    apt-get install -y bible-kjv || { apt-get update && apt-get install -y bible-kjv; }
fi
mkdir -p "$here/out"
bible -f "Gen1:1-Rev22:21" > "$here/out/kjv.txt"
expected=$(sed -n 's/.*"sha256": "\([0-9a-f]*\)".*/\1/p' "$here/manifest.json")
actual=$(sha256sum "$here/out/kjv.txt" | cut -d' ' -f1)
if [ "$expected" != "$actual" ]; then
    echo "# warning: the extracted text's sha256 is $actual, the manifest says $expected (another package version?)" >&2
fi
dotnet build "$root/src/Weft.Cli" -c Release 2>&1 | tail -1 >&2
dotnet "$root/src/Weft.Cli/bin/Release/net10.0/weft.dll" train --config "$here/config.json" "$@"
for f in weft-tiny.gguf metrics.jsonl loss.svg eval.json; do cp "$here/out/$f" "$here/$f.tmp" && mv "$here/$f.tmp" "$here/$f"; done
echo "# done: $here/weft-tiny.gguf" >&2
