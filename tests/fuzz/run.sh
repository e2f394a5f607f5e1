#!/usr/bin/env bash
# Runs one libFuzzer target of a SLUICE_FUZZ build for a bounded time, from its
# seed corpus (tests/fuzz/corpus/NAME; new inputs go to BUILD/fuzz-work/NAME).
#
#   tests/fuzz/run.sh BUILD_DIR NAME [SECONDS]     SECONDS defaults to $SLUICE_FUZZ_SECONDS or 60
#
# The seed is fixed ($SLUICE_FUZZ_SEED, default 1) so that a run is repeatable: a CI run on a
# slower machine explores a prefix of what a longer run with the same seed explored, and a
# failure there reproduces here. Campaigns meant to find new bugs set another seed (or 0 for
# a random one) and more time.
#
# Exits non-zero on a crash, a leak of the respond contract, a timeout (an input
# running > 60 s) or an out-of-memory (> 2 GiB), printing the path of the input.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
build=$(cd "$1" && pwd)
name=$2
seconds=${3:-${SLUICE_FUZZ_SECONDS:-60}}
bin="$build/tests/fuzz/${name}_fuzz"
case "$name" in
  # Deep nesting still overflows the stack in these (issue 15, item 1): keep inputs short.
  expr_parser | job_loader) max_len=${SLUICE_FUZZ_MAX_LEN:-4096} ;;
  *) max_len=${SLUICE_FUZZ_MAX_LEN:-65536} ;;
esac
work="$build/fuzz-work/$name"
artifacts="$build/fuzz-artifacts/$name"
mkdir -p "$work" "$artifacts"
tmp_base=/tmp
[[ -d /dev/shm && -w /dev/shm ]] && tmp_base=/dev/shm  # the kafka target's log: tmpfs, no fsync cost
export SLUICE_FUZZ_TMPDIR
SLUICE_FUZZ_TMPDIR=$(mktemp -d "$tmp_base/sluice-fuzz-$name.XXXXXX")
trap 'rm -rf "$SLUICE_FUZZ_TMPDIR"' EXIT
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=0}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"
log="$build/fuzz-work/$name.log"

seed=${SLUICE_FUZZ_SEED:-1}
echo "fuzzing $name for ${seconds}s (seed $seed, max_len $max_len), log $log"
"$bin" -seed="$seed" -max_total_time="$seconds" -max_len="$max_len" -timeout=60 -rss_limit_mb=2048 \
  -print_final_stats=1 -artifact_prefix="$artifacts/" "$work" "$here/corpus/$name" >"$log" 2>&1
rc=$?
grep -E '^(#[0-9]+ +DONE|stat::number_of_executed_units|stat::peak_rss_mb)' "$log" | sed "s/^/  $name: /"
if [[ $rc -ne 0 ]]; then
  tail -n 60 "$log"
  input=$(grep -oE 'Test unit written to [^ ]+' "$log" | tail -n 1 | sed 's/Test unit written to //')
  echo "FUZZ FAILURE in $name (exit $rc); crashing input: ${input:-see $log}"
  echo "reproduce: $bin $input   (replay without libFuzzer: ${name}_replay $input)"
  exit 1
fi
