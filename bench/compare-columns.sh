#!/usr/bin/env bash
# Four compare columns of one model against one: `weft serve` (default slots) answers one request, then four at once
# (what the chat page's compare mode sends), each the same prompt with max_tokens N; median wall time of REPS runs.
# Usage: bench/compare-columns.sh [MODEL.gguf] [N] [REPS]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
model="${1:-models/weft-tiny/weft-tiny.gguf}"; n="${2:-128}"; reps="${3:-5}"
dir="$(mktemp -d)"; cp "$model" "$dir/m.gguf"
port=$((20000 + RANDOM % 20000))
dotnet run --project src/Weft.Cli -c Release --no-build -- serve --models "$dir" --port "$port" --data "$dir/data" >"$dir/serve.log" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null; rm -rf "$dir"' EXIT
until curl -sf "http://127.0.0.1:$port/health" >/dev/null; do sleep 0.3; done
body="{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"Tell me of the rivers\"}],\"max_tokens\":$n,\"temperature\":0.8,\"seed\":SEED}"
ask() { curl -sf "http://127.0.0.1:$port/v1/chat/completions" -H 'Content-Type: application/json' -d "${body/SEED/$1}" | grep -o '"completion_tokens":[0-9]*' | cut -d: -f2; }
ask 0 >/dev/null # load and warm up
run() { # $1 columns: prints seconds and tokens
  local t0 t1 tokens=0 f; f="$(mktemp)"
  t0=$(date +%s.%N)
  for c in $(seq 1 "$1"); do ask "$c" >>"$f" & done; wait
  t1=$(date +%s.%N)
  tokens=$(awk '{s+=$1} END {print s}' "$f"); rm -f "$f"
  echo "$(echo "$t1 - $t0" | bc) $tokens"
}
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
one=(); four=()
for r in $(seq 1 "$reps"); do one+=("$(run 1)"); four+=("$(run 4)"); done
s1=$(printf '%s\n' "${one[@]}" | cut -d' ' -f1 | median); t1=$(printf '%s\n' "${one[@]}" | cut -d' ' -f2 | median)
s4=$(printf '%s\n' "${four[@]}" | cut -d' ' -f1 | median); t4=$(printf '%s\n' "${four[@]}" | cut -d' ' -f2 | median)
echo "CPU: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(nproc) threads; flags: $(grep -m1 flags /proc/cpuinfo | grep -o -w 'avx2\|avx512f\|avx512_vnni\|fma\|f16c' | sort -u | xargs)"
echo "slots: $(grep -o '"slots":[0-9null]*' <(curl -s "http://127.0.0.1:$port/v1/models/m"))"
printf '| columns | wall s (median of %s) | tokens | tokens/s |\n|---|---|---|---|\n' "$reps"
printf '| 1 | %.2f | %s | %.0f |\n' "$s1" "$t1" "$(echo "$t1 / $s1" | bc -l)"
printf '| 4 | %.2f | %s | %.0f |\n' "$s4" "$t4" "$(echo "$t4 / $s4" | bc -l)"
printf 'four columns take %.2fx the time of one\n' "$(echo "$s4 / $s1" | bc -l)"
