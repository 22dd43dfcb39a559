#!/usr/bin/env bash
# Weft against llama.cpp (the refharness oracle) on the 1.1B TinyLlama-shaped model, every weight type, one run.
#
#   bench/compare.sh [TYPES...]        default: F16 Q8_0 Q4_0 Q4_K_M Q6_K
#
# Environment: MODELS (model folder, default /tmp/weft-bench), P (128), N (64), T (2), R (5), ROUNDS (1),
# REFH (/tmp/refharness/bin/refharness), MEMBW (/tmp/refharness/bin/membw), SKIP_BUILD=1,
# BASE (the weft.dll of an earlier build: it runs first in each round and gets its own columns, for before/after).
# For each round and type, weft and the oracle run back to back, so both see the same machine load; the
# memory bandwidth is measured in the same run. Roofline % = tg tokens/s × weight bytes per token ÷ read bandwidth.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
MODELS=${MODELS:-/tmp/weft-bench}
P=${P:-128}; N=${N:-64}; T=${T:-2}; R=${R:-5}; ROUNDS=${ROUNDS:-1}
REFH=${REFH:-/tmp/refharness/bin/refharness}
MEMBW=${MEMBW:-/tmp/refharness/bin/membw}
GGUF_PY=${GGUF_PY:-/tmp/llamacpp-src/gguf-py}
types=("$@")
[ ${#types[@]} -gt 0 ] || types=(F16 Q8_0 Q4_0 Q4_K_M Q6_K)

mkdir -p "$MODELS"
base="$MODELS/bench-1b-f16.gguf"
if [ ! -f "$base" ]; then
    echo "# writing $base (llama.cpp's mkmodels.py, bench-1b)" >&2
    PYTHONPATH="$GGUF_PY" /usr/bin/python3 "$root/../shared/refharness/mkmodels.py" --out "$MODELS" --only bench-1b --no-hash >&2
fi
model_of() { echo "$MODELS/bench-1b-$(echo "$1" | tr 'A-Z' 'a-z').gguf"; }
for ty in "${types[@]}"; do
    f=$(model_of "$ty")
    if [ ! -f "$f" ]; then
        echo "# quantizing $base -> $f ($ty)" >&2
        "$REFH" quantize "$base" "$f.tmp" "$ty" -t "$T" >&2
        mv "$f.tmp" "$f"
    fi
done

if [ "${SKIP_BUILD:-0}" != 1 ]; then
    dotnet build "$root/src/Weft.Cli" -c Release 2>&1 | tail -2 >&2
fi
weft=(dotnet "$root/src/Weft.Cli/bin/Release/net10.0/weft.dll")

out=$(mktemp -d)
echo "# $(date -u +%FT%TZ) $(uptime)" >&2
"$MEMBW" -t "$T" -r 5 > "$out/membw.txt"
bw=$(awk '/^read:/ {print $6}' "$out/membw.txt")   # median read GB/s (the field after "median")
echo "# membw: $(head -2 "$out/membw.txt" | tail -1)" >&2

for round in $(seq 1 "$ROUNDS"); do
    for ty in "${types[@]}"; do
        f=$(model_of "$ty")
        echo "# round $round $ty: weft, then the oracle (load $(cut -d' ' -f1-3 /proc/loadavg))" >&2
        if [ -n "${BASE:-}" ]; then
            dotnet "$BASE" bench "$f" -p "$P" -n "$N" -t "$T" -r "$R" --json | sed "s/^/{\"round\":$round,\"ty\":\"$ty\",\"w\":/; s/\$/}/" >> "$out/base.jsonl"
        fi
        "${weft[@]}" bench "$f" -p "$P" -n "$N" -t "$T" -r "$R" --json | sed "s/^/{\"round\":$round,\"ty\":\"$ty\",\"w\":/; s/\$/}/" >> "$out/ours.jsonl"
        "$REFH" bench "$f" -p "$P" -n "$N" -t "$T" -r "$R" --json 2>/dev/null | sed "s/^/{\"round\":$round,\"ty\":\"$ty\",\"o\":/; s/\$/}/" >> "$out/oracle.jsonl"
    done
done
echo "# end $(uptime)" >&2

# one table row per type: medians over rounds of the per-run medians
touch "$out/base.jsonl"
jq -rn --argjson bw "$bw" --slurpfile ours "$out/ours.jsonl" --slurpfile oracle "$out/oracle.jsonl" --slurpfile base "$out/base.jsonl" '
  def med: sort | if length == 0 then 0 elif length % 2 == 1 then .[length/2|floor] else (.[length/2-1] + .[length/2]) / 2 end;
  def f1: . * 10 | round / 10 | tostring;
  def f2: . * 100 | round / 100 | tostring;
  ($ours | map(.ty) | unique) as $types
  | "memory read bandwidth: \($bw) GB/s (membw median)",
    (if ($base | length) > 0 then
      "| type | before pp t/s | before tg t/s | after pp t/s | after tg t/s | pp speed-up | tg speed-up |",
      "|---|---|---|---|---|---|---|",
      ($types[] as $t
       | ($base | map(select(.ty == $t) | .w)) as $b | ($ours | map(select(.ty == $t) | .w)) as $w
       | ($b | map(.pp_tps) | med) as $bpp | ($b | map(.tg_tps) | med) as $btg
       | ($w | map(.pp_tps) | med) as $wpp | ($w | map(.tg_tps) | med) as $wtg
       | "| \($t) | \($bpp|f1) | \($btg|f2) | \($wpp|f1) | \($wtg|f2) | \(if $bpp > 0 then ($wpp/$bpp|f2) else "-" end) | \(if $btg > 0 then ($wtg/$btg|f2) else "-" end) |"),
      ""
     else empty end),
    "| type | weft pp t/s | weft tg t/s | llama.cpp pp t/s | llama.cpp tg t/s | pp ratio | tg ratio | MB/token | weft roofline % | llama.cpp roofline % |",
    "|---|---|---|---|---|---|---|---|---|---|",
    ($types[] as $t
     | ($ours | map(select(.ty == $t) | .w)) as $w
     | ($oracle | map(select(.ty == $t) | .o)) as $o
     | ($w | map(.pp_tps) | med) as $wpp | ($w | map(.tg_tps) | med) as $wtg
     | ($o | map(.pp_tps.median) | med) as $opp | ($o | map(.tg_tps.median) | med) as $otg
     | ($w[0].bytes_per_token) as $bpt
     | "| \($t) | \($wpp|f1) | \($wtg|f2) | \($opp|f1) | \($otg|f2) | \(if $opp > 0 then ($wpp/$opp|f2) else "-" end) | \(if $otg > 0 then ($wtg/$otg|f2) else "-" end) | \($bpt/1e6|f1) | \($wtg*$bpt/($bw*1e9)*100|f1) | \($otg*$bpt/($bw*1e9)*100|f1) |")'
echo "# raw results: $out" >&2
