#!/usr/bin/env bash
# fuzz/run.sh TARGET|all SECONDS: build the fuzz targets, instrument Weft's assemblies with SharpFuzz, write the seed
# corpora, then run AFL++ on each target for SECONDS. Exits 1 when a target found a crash or a hang (inputs kept under
# $FUZZ_OUT/findings/TARGET/default/{crashes,hangs}; replay them with `dotnet $FUZZ_OUT/bin/Weft.Fuzz.dll replay TARGET PATH`).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

[ $# -eq 2 ] || { echo "usage: fuzz/run.sh TARGET|all SECONDS" >&2; exit 2; }
target="$1" seconds="$2"
out="${FUZZ_OUT:-$PWD/artifacts/fuzz}"
build="$out/build"
llama="${LLAMA_SRC:-/tmp/llamacpp-src}"   # llama.cpp's source, as ../shared/refharness installs it (optional)

command -v afl-fuzz >/dev/null || { apt-get update -qq && apt-get install -y -qq afl++; }
dotnet tool restore >/dev/null

# Build, then instrument a fresh copy (SharpFuzz rewrites assemblies in place; the build folder stays clean).
dotnet build fuzz/Weft.Fuzz -c Release -o "$out/bin" -v quiet -nologo >/dev/null
rm -rf "$build" && cp -r "$out/bin" "$build"
for asm in Weft.Tensors Weft.Formats Weft.Tokenizers Weft.Models Weft.Inference Weft.Evaluation; do
    dotnet sharpfuzz "$build/$asm.dll" >/dev/null
done
fuzz=("$(command -v dotnet)" "$build/Weft.Fuzz.dll")   # instrumented: only under afl-fuzz
plain=(dotnet "$out/bin/Weft.Fuzz.dll")  # the same targets uninstrumented: seeding, listing, replaying

# Seeds: our own writers, llama.cpp's vocabularies (cut down), chat templates and grammars, the built-in task files.
rm -rf "$out/seeds"
LLAMA_SRC="$llama" "${plain[@]}" seed "$out/seeds" >/dev/null
mkdir -p "$out/seeds/task-file" && cp src/Weft.Evaluation/Tasks/Builtin/*.yaml "$out/seeds/task-file/"
[ -d "$llama/models/templates" ] && cp "$llama"/models/templates/*.jinja "$out/seeds/jinja/"
[ -d "$llama/grammars" ] && cp "$llama"/grammars/*.gbnf "$out/seeds/gbnf/"

targets=("$target")
[ "$target" = all ] && mapfile -t targets < <("${plain[@]}" list | awk '{print $1}')

export AFL_SKIP_CPUFREQ=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 AFL_NO_AFFINITY=1 AFL_SKIP_BIN_CHECK=1 AFL_NO_UI=1
export AFL_FORKSRV_INIT_TMOUT=60000
# An input that makes the managed heap pass 1 GiB is a finding (OutOfMemoryException escapes as a crash).
export DOTNET_GCHeapHardLimit=0x40000000 DOTNET_TieredPGO=0
timeout_ms="${FUZZ_TIMEOUT_MS:-2000}"

found=0
for t in "${targets[@]}"; do
    dict=(); [ -f "fuzz/dict/$t.dict" ] && dict=(-x "fuzz/dict/$t.dict")
    rm -rf "$out/findings/$t" && mkdir -p "$out/findings"
    afl-fuzz -i "$out/seeds/$t" -o "$out/findings/$t" "${dict[@]}" -t "$timeout_ms" -m none -V "$seconds" \
        -- "${fuzz[@]}" run "$t" > "$out/$t.log" 2>&1 || { echo "$t: afl-fuzz failed, see $out/$t.log"; tail -20 "$out/$t.log"; found=1; continue; }
    bash fuzz/stats.sh "$t" "$out/findings/$t/default"
    for kind in crashes hangs; do
        n=$(find "$out/findings/$t/default/$kind" -type f -name 'id:*' 2>/dev/null | wc -l)
        [ "$n" -eq 0 ] && continue
        found=1
        echo "$t: $n $kind in $out/findings/$t/default/$kind"
        [ "$kind" = crashes ] && "${plain[@]}" replay "$t" "$out/findings/$t/default/$kind" | grep -A3 '^finding' | head -40 || true
    done
done
exit "$found"
