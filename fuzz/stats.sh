#!/usr/bin/env bash
# fuzz/stats.sh TARGET DIR: one line of AFL++'s fuzzer_stats for a finished run (executions, speed, coverage, findings).
set -euo pipefail
stats="$2/fuzzer_stats"
[ -f "$stats" ] || { echo "$1: no fuzzer_stats in $2"; exit 0; }
get() { awk -F' *: *' -v k="$1" '$1 == k {print $2}' "$stats"; }
printf '%-18s execs %-9s %-6s exec/s  corpus %-5s edges %-6s map %-7s crashes %s hangs %s\n' \
    "$1" "$(get execs_done)" "$(get execs_per_sec)" "$(get corpus_count)" "$(get edges_found)" "$(get bitmap_cvg)" \
    "$(get saved_crashes)" "$(get saved_hangs)"
