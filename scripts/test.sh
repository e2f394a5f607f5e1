#!/usr/bin/env bash
# The second README command: installs what the tests need, builds Sluice with
# AddressSanitizer + UndefinedBehaviorSanitizer, and runs every test through ctest.
#
#   SLUICE_TEST_SANITIZE=0 ./scripts/test.sh    plain RelWithDebInfo build instead
#   ./scripts/test.sh -R broker                 extra arguments go to ctest
#   SLUICE_FUZZ_SECONDS=300 ./scripts/test.sh   fuzz each libFuzzer target 300 s (default 60; 0 skips)
#
# After ctest, when clang is installed, the libFuzzer targets (tests/fuzz/README.md) are built in
# build/fuzz and each runs for SLUICE_FUZZ_SECONDS; a crash fails the script and names the input.
# With extra ctest arguments fuzzing is skipped unless SLUICE_FUZZ_SECONDS is set.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/deps.sh
# Let ccache reuse objects across checkouts in different directories (CI clones).
export CCACHE_BASEDIR="$PWD" CCACHE_NOHASHDIR=true
sluice_install_packages "${SLUICE_BUILD_PACKAGES[@]}" "${SLUICE_TEST_PACKAGES[@]}"

if [[ "${SLUICE_TEST_SANITIZE:-1}" == "1" ]]; then
  build_dir=build/test-asan
  cmake_args=(-DCMAKE_BUILD_TYPE=Debug -DSLUICE_SANITIZE=ON -DCMAKE_CXX_FLAGS_DEBUG="-O1 -g")
  export ASAN_OPTIONS="detect_leaks=0:abort_on_error=1:strict_string_checks=1"
  export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
else
  build_dir=build/test
  cmake_args=(-DCMAKE_BUILD_TYPE=RelWithDebInfo)
fi
export CCACHE_DIR="${CCACHE_DIR:-$HOME/.cache/ccache}"

cmake -S . -B "$build_dir" -G Ninja "${cmake_args[@]}" -DSLUICE_BUILD_BENCH=ON
ninja -C "$build_dir"
(cd "$build_dir" && ctest --output-on-failure -j2 --timeout 900 "$@")

fuzz_seconds=${SLUICE_FUZZ_SECONDS:-60}
if [[ $# -gt 0 && -z "${SLUICE_FUZZ_SECONDS:-}" ]]; then fuzz_seconds=0; fi
if [[ "$fuzz_seconds" != "0" ]] && command -v clang++ >/dev/null; then
  echo "== fuzzing: each target for ${fuzz_seconds}s (SLUICE_FUZZ_SECONDS)"
  CC=clang CXX=clang++ cmake -S . -B build/fuzz -G Ninja -DCMAKE_BUILD_TYPE=Debug -DCMAKE_CXX_FLAGS_DEBUG="-O1 -g" \
    -DSLUICE_FUZZ=ON
  ninja -C build/fuzz
  export SLUICE_FUZZ_SECONDS="$fuzz_seconds"
  ctest --test-dir build/fuzz -L fuzz --output-on-failure --timeout $((fuzz_seconds + 600))
fi
