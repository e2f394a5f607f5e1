#!/usr/bin/env bash
# The Nexmark benchmark runner (bench/nexmark/README.md).
#
# Benchmark: generates --events events into a fresh data directory, runs each query of
# bench/nexmark/queries/ with `sluice run --until-caught-up` in its own process, and
# prints per query the user+system CPU seconds of that process and the input events per
# CPU-second (the figure nexmark/nexmark calls "Throughput/Cores").
#
#   bench/nexmark/run.sh [--events 10000000] [--rate 10000000] [--partitions 1]
#                        [--parallelism 1] [--queries "q0 q1 ..."] [--data DIR]
#                        [--build build/release | --sluice BIN --gen BIN]
#
# Check: generates two small streams (one at the benchmark's event rate, one spanning
# 20 s of event time so that 10 s windows and sessions close many times), runs every query, and
# compares the number of records in each output topic, and the sum of one integer field
# over them, with what nexmark_gen --expect computes directly from the events. Exit
# status 1 on any difference.
#
#   bench/nexmark/run.sh --check [--events 100000] [--sluice BIN --gen BIN]
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
events="" rate=10000000 partitions=1 parallelism=1 queries="" data="" build="$root/build/release"
sluice="" gen="" check=0
while [[ $# -gt 0 ]]; do
  case "$1" in
    --events) events="$2"; shift 2 ;;
    --rate) rate="$2"; shift 2 ;;
    --partitions) partitions="$2"; shift 2 ;;
    --parallelism) parallelism="$2"; shift 2 ;;
    --queries) queries="$2"; shift 2 ;;
    --data) data="$2"; shift 2 ;;
    --build) build="$2"; shift 2 ;;
    --sluice) sluice="$2"; shift 2 ;;
    --gen) gen="$2"; shift 2 ;;
    --check) check=1; shift ;;
    *) echo "unknown option $1 (see the comment at the top of $0)" >&2; exit 2 ;;
  esac
done
sluice="${sluice:-$build/cli/sluice}"
gen="${gen:-$build/bench/nexmark/nexmark_gen}"
for bin in "$sluice" "$gen"; do
  [[ -x "$bin" ]] || { echo "missing $bin: build it (see bench/RESULTS.md)" >&2; exit 2; }
done
all_queries="q0 q1 q2 q3 q5 q7 q8 q11 q14 q15 q16 q17 q20 q21 q22"
queries="${queries:-$all_queries}"
work="$(mktemp -d "${TMPDIR:-/tmp}/sluice-nexmark.XXXXXX")"
trap 'rm -rf "$work"' EXIT

# A copy of the query under a fresh job name (a job of the same name would resume
# from its checkpoint).
job_copy() {
  local q="$1" dir="$2"
  sed "s/^job: .*/job: nexmark-$q-$$/" "$here/queries/$q.yaml" > "$dir/$q.yaml"
}

# run_query QUERY DATA_DIR: runs it; prints "user system wall max_rss_kib" on stdout.
run_query() {
  local q="$1" dir="$2"
  job_copy "$q" "$work"
  /usr/bin/time -f "%U %S %e %M" -o "$work/$q.time" \
    "$sluice" run "$work/$q.yaml" --data-dir "$dir" --until-caught-up --parallelism "$parallelism" \
    --progress 3600 > "$work/$q.out" 2> "$work/$q.err" || {
      echo "$q failed:" >&2; cat "$work/$q.err" >&2; return 1; }
  cat "$work/$q.time"
}

if [[ $check == 1 ]]; then
  events="${events:-100000}"
  status=0
  for set in fast slow; do
    if [[ $set == fast ]]; then set_rate=$rate; set_queries="q0 q1 q2 q3 q14 q20 q21 q22"
    else set_rate=$(( events / 20 > 0 ? events / 20 : 1 )); set_queries="q3 q5 q7 q8 q11 q15 q16 q17"; fi
    dir="$work/data-$set"
    "$gen" --events "$events" --rate "$set_rate" --partitions "$partitions" --data-dir "$dir" --expect \
      > "$work/expect-$set" 2> "$work/gen-$set.err" || { cat "$work/gen-$set.err" >&2; exit 1; }
    for q in $set_queries; do
      [[ " $queries " == *" $q "* ]] || continue
      run_query "$q" "$dir" > /dev/null || { status=1; continue; }
      read -r want want_field want_sum < <(awk -v q="$q" '$1 == q { print $2, $3, $4 }' "$work/expect-$set")
      read -r got got_sum < <("$sluice" consume "nexmark-$q" --data-dir "$dir" --from-beginning --read-committed |
        /usr/bin/python3 -c '
import json, sys
n = s = 0
for line in sys.stdin:
    n += 1
    s += int(json.loads(line)[sys.argv[1]])  # q21: channel_id is a string of digits
print(n, s)' "$want_field")
      if [[ "$got $got_sum" == "$want $want_sum" ]]; then
        printf '%-4s %-5s ok   %d records, sum of %s %s\n' "$q" "$set" "$got" "$want_field" "$got_sum"
      else
        printf '%-4s %-5s FAIL %d records, sum of %s %s; expected %s records, sum %s\n' "$q" "$set" "$got" \
          "$want_field" "$got_sum" "$want" "$want_sum"
        status=1
      fi
    done
  done
  exit $status
fi

events="${events:-10000000}"
data="${data:-$work/data}"
rm -rf "$data"
echo "generating $events events (rate $rate events/s of event time, $partitions partitions) into $data" >&2
"$gen" --events "$events" --rate "$rate" --partitions "$partitions" --data-dir "$data" > /dev/null
printf '%-5s %10s %10s %10s %12s %10s %22s\n' query "user s" "system s" "wall s" "out records" "RSS MiB" "events per CPU-second"
for q in $queries; do
  read -r user sys wall rss < <(run_query "$q" "$data")
  out=$(sed -n 's/.* \([0-9]*\) out$/\1/p' "$work/$q.err" | tail -1)
  awk -v q="$q" -v u="$user" -v s="$sys" -v w="$wall" -v o="${out:-?}" -v r="$rss" -v n="$events" \
    'BEGIN { printf "%-5s %10.2f %10.2f %10.2f %12s %10.0f %22.0f\n", q, u, s, w, o, r / 1024, n / (u + s) }'
done
