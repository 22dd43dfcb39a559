#!/usr/bin/env bash
# Tokenizer speed, Weft against llama.cpp (the refharness oracle), in one run: 1 MiB of English text (llama.cpp's
# Markdown documentation, repeated) tokenized by each CLI; the time of an empty file is subtracted (process start and
# vocabulary load), median of REPS runs each; and the warm time (`weft tokenize --repeat`: the same process tokenizes the
# text again, so .NET's JIT warm-up is excluded — llama.cpp, compiled ahead of time, has none). Usage: bench/tokenize-speed.sh [VOCAB...] (default: llama-spm llama-bpe gpt-2 falcon)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
SHARED="${WEFT_SHARED:-$(cd .. && pwd)/shared}"
source "$SHARED/refharness/config.sh"
[ -x "$REFH" ] || bash "$SHARED/refharness/setup.sh"
REPS="${REPS:-5}"
dotnet build src/Weft.Cli -c Release -v q -nologo >/dev/null
WEFT=(dotnet src/Weft.Cli/bin/Release/net10.0/weft.dll)
work="$(mktemp -d)"; trap 'rm -rf "$work"' EXIT
# 1 MiB of text, cut at a character boundary
cat "$LLAMA_SRC"/docs/*.md "$LLAMA_SRC"/docs/*/*.md > "$work/docs.txt"
"$PY" - "$work/docs.txt" "$work/text.txt" <<'PY'
import sys
src = open(sys.argv[1], encoding="utf-8").read()
out = (src * (1 + (1 << 20) // len(src.encode("utf-8")))).encode("utf-8")[: 1 << 20].decode("utf-8", "ignore")
open(sys.argv[2], "w", encoding="utf-8").write(out)
PY
: > "$work/empty.txt"

calc() { awk "BEGIN { printf \"%.6f\", $1 }"; }
median() { sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
seconds() { local s e; s=$(date +%s.%N); "$@" > /dev/null; e=$(date +%s.%N); calc "$e - $s"; }
run_weft() { "${WEFT[@]}" tokenize "$1" --file "$2" --no-bos; }
run_ref() { "$REFH" tokenize "$1" --file "$2" 2>/dev/null; }

printf '%-10s %10s %10s %12s %12s %8s %12s %8s\n' vocab "weft s" "llama s" "weft MB/s" "llama MB/s" ratio "weft warm s" "ratio"
for vocab in "${@:-llama-spm llama-bpe gpt-2 falcon}"; do
  for v in $vocab; do
    f="$LLAMA_SRC/models/ggml-vocab-$v.gguf"
    ours=(); theirs=()
    for _ in $(seq "$REPS"); do
      a=$(seconds run_weft "$f" "$work/text.txt"); b=$(seconds run_weft "$f" "$work/empty.txt")
      c=$(seconds run_ref "$f" "$work/text.txt"); d=$(seconds run_ref "$f" "$work/empty.txt")
      ours+=("$(calc "$a - $b")"); theirs+=("$(calc "$c - $d")")
    done
    o=$(printf '%s\n' "${ours[@]}" | median); t=$(printf '%s\n' "${theirs[@]}" | median)
    # warm: the same process tokenizes the text again REPS times (JIT warm-up excluded); median in ms on stderr
    w=$("${WEFT[@]}" tokenize "$f" --file "$work/text.txt" --no-bos --repeat "$REPS" 2>&1 >/dev/null | sed -n 's/.* in \([0-9.]*\) ms.*/\1/p')
    w=$(calc "$w / 1000")
    printf '%-10s %10.3f %10.3f %12.2f %12.2f %8.2f %12.3f %8.2f\n' "$v" "$o" "$t" "$(calc "1.048576 / $o")" "$(calc "1.048576 / $t")" "$(calc "$t / $o")" "$w" "$(calc "$t / $w")"
  done
done
