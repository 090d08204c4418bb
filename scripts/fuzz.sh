#!/usr/bin/env bash
# A libFuzzer campaign over Lethe's parsers: scripts/fuzz.sh TARGET|all [RUNS] [SECONDS].
# Needs the fuzzer build (make fuzz does it). Runs at the lowest priority (the machine is shared);
# a new coverage corpus grows in .build-fuzz/corpus/<target>, findings go to .build-fuzz/findings/.
# Limits: 2 GiB resident memory, 10 s per input, inputs up to twice the largest seed (at least
# 4 KiB: small inputs keep a campaign fast); a campaign ends after RUNS executions or SECONDS
# (default: no time limit), or when interrupted (Ctrl-C), and prints one summary line per target:
# executions, seconds, executions per second, and whether anything was found.
set -euo pipefail
cd "$(dirname "$0")/.."
bin=.build-fuzz/release/lethe-fuzz
[ -x "$bin" ] || { echo "build first: swift build -c release --sanitize=fuzzer -Xswiftc -DLETHE_LIBFUZZER --scratch-path .build-fuzz --product lethe-fuzz" >&2; exit 2; }
target=${1:-all}
runs=${2:-1000000}
seconds=${3:-0}
if [ "$target" = all ]; then
  targets=$(ls Tests/Fuzz/corpus)
else
  targets=$target
fi
mkdir -p .build-fuzz/findings
status=0
for t in $targets; do
  mkdir -p ".build-fuzz/corpus/$t"
  log=".build-fuzz/findings/$t.log"
  largest=$(find "Tests/Fuzz/corpus/$t" -type f -printf '%s\n' | sort -n | tail -1)
  max_len=$(( 2 * largest > 4096 ? 2 * largest : 4096 ))
  start=$(date +%s.%N)
  if LETHE_FUZZ_TARGET="$t" SWIFT_BACKTRACE=enable=no nice -n 19 "$bin" -runs="$runs" -max_total_time="$seconds" \
      -rss_limit_mb=2048 -timeout=10 -max_len="$max_len" -print_final_stats=1 \
      -artifact_prefix=".build-fuzz/findings/$t-" ".build-fuzz/corpus/$t" "Tests/Fuzz/corpus/$t" > "$log" 2>&1; then
    result=ok
  elif grep -q "run interrupted" "$log" && ! ls ".build-fuzz/findings/$t-"* > /dev/null 2>&1; then
    result="ok (stopped early)"
  else
    result="FINDING (see $log)"
    status=1
  fi
  end=$(date +%s.%N)
  executed=$(grep -o 'stat::number_of_executed_units: [0-9]*' "$log" | grep -o '[0-9]*$' || echo 0)
  awk -v t="$t" -v n="$executed" -v s="$start" -v e="$end" -v r="$result" \
    'BEGIN { d = e - s; printf "%-14s %12d executions %9.0f s %9.0f exec/s  %s\n", t, n, d, (d > 0 ? n / d : 0), r }'
done
exit $status
