#!/usr/bin/env bash
# The first README command: installs the Debian packages Sluice needs, builds it
# in Release, and runs the main job on the embedded log:
#   1. generates sensor readings and appends them to topic `sensor-readings`
#      (keyed by sensor, spread over 4 partitions by Kafka's partitioner),
#   2. runs jobs/overheat-alerts.yaml (JOB-SPEC example 2) until it has caught up,
#   3. reads the `alerts` topic back and prints a summary.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/deps.sh
# Let ccache reuse objects across checkouts in different directories (CI clones).
export CCACHE_BASEDIR="$PWD" CCACHE_NOHASHDIR=true
sluice_install_packages "${SLUICE_BUILD_PACKAGES[@]}"

build_dir=build/release
cmake -S . -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=Release -DSLUICE_BUILD_TESTS=OFF -DSLUICE_BUILD_BENCH=OFF
ninja -C "$build_dir" sluice
sluice="$build_dir/cli/sluice"

data_dir="${SLUICE_DATA_DIR:-build/quickstart-data}"
rm -rf "$data_dir"
readings="${SLUICE_READINGS:-20000}"

echo "== creating topic sensor-readings (4 partitions) in $data_dir"
"$sluice" topics create sensor-readings --partitions 4 --data-dir "$data_dir"

echo "== producing $readings readings (20 sensors, one reading per sensor per second)"
awk -v n="$readings" 'BEGIN {
  srand(42); t0 = 1700000000000;
  for (i = 0; i < n; i++) {
    s = i % 20; ts = t0 + int(i / 20) * 1000;
    base = (s < 3) ? 92 : 60;            # sensors 0..2 run hot
    temp = base + (rand() * 40 - 10);
    printf "sensor-%d\t{\"sensor_id\":\"sensor-%d\",\"site\":\"plant-%d\",\"temperature\":%.1f,\"ts\":%.0f}\n", s, s, s % 3, temp, ts;
  }
}' | "$sluice" produce sensor-readings --key-separator $'\t' --data-dir "$data_dir"

echo "== running jobs/overheat-alerts.yaml (JOB-SPEC example 2) until it has caught up"
"$sluice" run jobs/overheat-alerts.yaml --data-dir "$data_dir" --until-caught-up > "$data_dir.console.jsonl"

echo "== reading topic alerts"
"$sluice" consume alerts --from-beginning --data-dir "$data_dir" > "$data_dir.alerts.jsonl"
alerts=$(wc -l < "$data_dir.alerts.jsonl")
critical=$(grep -c '"critical"' "$data_dir.alerts.jsonl" || true)
echo "first alerts:"
head -n 3 "$data_dir.alerts.jsonl"
echo
echo "summary: $readings readings in, $alerts alerts out ($critical critical); all alerts in $data_dir.alerts.jsonl"
if [[ "$alerts" -eq 0 ]]; then
  echo "quickstart: expected some alerts, got none" >&2
  exit 1
fi
echo
echo "web console: run '$sluice serve --data-dir $data_dir' and open http://127.0.0.1:8080/console/"
echo "             (sign in with the token in $data_dir/http-token; docs/console.md)"
