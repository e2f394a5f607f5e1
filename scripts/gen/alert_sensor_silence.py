"""Input for jobs/sensor-silence.yaml: half an hour of temperature readings from
eight sensors, every 10 s each, arriving up to 2 s late and out of order.

Planted, at seeded times and sensors:
- 3 outages (no reading for 3 to 8 minutes, then the sensor comes back) and
  1 dead sensor (stops for good): 4 alerts;
- 1 planned maintenance (a "going_offline" reading, 5 minutes of silence, back):
  no alert;
- 6 hiccups (15 to 60 s of lost readings): no alert;
- the end of the shift: every sensor still alive sends "going_offline" last,
  so the end of the input closes no unexpected session.

Usage: /usr/bin/python3 scripts/gen/alert_sensor_silence.py [--seed N] \
           [--expected expected.jsonl] > input.jsonl
--expected writes the alerts the job must raise, computed from the generated
readings by the session-window reference in alert_reference.py, and checks
that they are exactly the planted incidents.
"""
import argparse
import random
import sys

import alert_reference as ref

BASE = 1_700_000_000_000
MINUTE = 60_000
DURATION = 30 * MINUTE
PERIOD = 10_000
GAP = 2 * MINUTE  # the job's session gap
MAX_NETWORK_DELAY = 2_000  # below the job's watermark max_delay (5 s): nothing is late
SENSORS = [
    ("north-boiler-1", "plant-north"), ("north-boiler-2", "plant-north"),
    ("north-chiller-1", "plant-north"), ("north-press-1", "plant-north"),
    ("south-boiler-1", "plant-south"), ("south-chiller-1", "plant-south"),
    ("south-kiln-1", "plant-south"), ("south-press-1", "plant-south"),
]


def plan(rng):
    """Per sensor: lost time ranges, going_offline times, death time; and the expected last readings."""
    order = list(range(len(SENSORS)))
    rng.shuffle(order)
    lost = {i: [] for i in order}
    offline_at = {i: [] for i in order}
    dead_at = {}
    for i in order[:3]:  # outages
        start = rng.randrange(5 * MINUTE, 20 * MINUTE)
        lost[i].append((start, start + rng.randrange(3 * MINUTE, 8 * MINUTE)))
    dead_at[order[3]] = rng.randrange(10 * MINUTE, 25 * MINUTE)
    maintenance = rng.randrange(5 * MINUTE, 20 * MINUTE)
    offline_at[order[4]].append(maintenance)
    lost[order[4]].append((maintenance + PERIOD, maintenance + 5 * MINUTE))  # after the going_offline reading
    for i in order[5:]:  # hiccups, one in each half of the shift
        for lo, hi in ((2 * MINUTE, 12 * MINUTE), (15 * MINUTE, 27 * MINUTE)):
            start = rng.randrange(lo, hi)
            lost[i].append((start, start + rng.randrange(15_000, 60_000)))
    return lost, offline_at, dead_at


def readings(rng, lost, offline_at, dead_at):
    out = []
    for i, (sensor, site) in enumerate(SENSORS):
        temperature = rng.uniform(40, 90)
        times = []
        for t in range(rng.randrange(PERIOD), DURATION, PERIOD):
            if any(a <= t < b for a, b in lost[i]) or t >= dead_at.get(i, DURATION):
                continue
            times.append(t)
        offline = {min((t for t in times if t >= at), default=None) for at in offline_at[i]}
        if i not in dead_at:
            offline.add(times[-1])  # end of the shift
        for t in times:
            temperature += rng.uniform(-0.5, 0.5)
            ts = BASE + t
            out.append({"arrival": ts + rng.randrange(MAX_NETWORK_DELAY + 1),
                        "value": {"sensor_id": sensor, "site": site, "temperature_c": round(temperature, 1),
                                  "status": "going_offline" if t in offline else "ok", "ts": ts}})
    out.sort(key=lambda r: (r["arrival"], r["value"]["sensor_id"]))
    return [r["value"] for r in out]


def expected_alerts(values):
    """Session windows per sensor over the readings (in arrival order), filtered and shaped as the job does."""
    alerts = []
    for sensor, _ in SENSORS:
        mine = sorted((v["ts"], n, v) for n, v in enumerate(values) if v["sensor_id"] == sensor)
        for start, end, members in ref.sessions([m[0] for m in mine], GAP):
            session = [mine[k] for k in members]
            last_arrived = max(session, key=lambda m: m[1])[2]
            if last_arrived["status"] == "going_offline":
                continue
            alerts.append({"sensor": sensor, "site": last_arrived["site"], "reporting_since": start,
                           "last_seen": max(m[0] for m in session), "silent_at": end, "readings": len(session)})
    alerts.sort(key=lambda a: (a["silent_at"], a["sensor"]))
    return alerts


def check_planted(alerts, lost, offline_at, dead_at):
    """The alerts are the outages and the dead sensor, nothing else."""
    planted = sorted([SENSORS[i][0] for i, ranges in lost.items() if ranges and not offline_at[i]
                      and ranges[0][1] - ranges[0][0] >= 3 * MINUTE] + [SENSORS[i][0] for i in dead_at])
    found = sorted(a["sensor"] for a in alerts)
    if found != planted:
        sys.exit(f"reference found alerts for {found}, planted {planted}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--expected", help="write the expected alerts (JSON lines) here")
    args = parser.parse_args()
    rng = random.Random(args.seed)
    lost, offline_at, dead_at = plan(rng)
    values = readings(rng, lost, offline_at, dead_at)
    for v in values:
        print(ref.dumps(v))
    if args.expected:
        alerts = expected_alerts(values)
        check_planted(alerts, lost, offline_at, dead_at)
        ref.write_lines(alerts, args.expected)
        print(f"{len(values)} readings, {len(alerts)} alerts", file=sys.stderr)


if __name__ == "__main__":
    main()
