# Generates the golden cases lookup-table-updates and alert-sensor-thresholds
# under tests/jobs/ (run: /usr/bin/python3 tests/jobs/tools/generate_lookup_cases.py).
# Expected outputs are computed here in plain Python from the rule in
# docs/jobs.md ("Tables and lookup joins"), independently of the runtime:
#   every table record is a version of its key valid from its event time on;
#   a stream record at event time t joins the newest version of its key at or
#   before t (equal times: the one later in the table topic); a tombstone
#   (null value) means "no value"; inner drops a stream record without a
#   value, left emits it with right = right_time = null.
# Every partition's records are in event-time order, so nothing is late and
# the result does not depend on how the two topics interleave.
import os
import random
from case_writer import J, write
T = 1699999980000


def as_of(versions, key, t):
    """versions: key -> [(time, value)] in topic order; the value as of t, or None."""
    best = None
    for vt, v in versions.get(key, []):
        if vt <= t and (best is None or vt >= best[0]):
            best = (vt, v)
    if best is None or best[1] is None:
        return None
    return best


def partition_of(key, n):
    # The case fixes partitions explicitly (records.jsonl "partition"), so the
    # runtime's murmur2 placement is not needed here.
    return int(key[1:]) % n


rng = random.Random(18)

# 1. lookup-table-updates: sensors s0..s7; the table knows s0..s5 (s6, s7
#    never), some get new thresholds while readings flow, s3 and s5 are
#    deleted by tombstones (s5 comes back later). Readings on 4 partitions,
#    the table on 2; one job runs an inner and a left lookup on the same table.
table_rows = []   # (time, key, value or None)
t = T
for n in range(6):
    table_rows.append((t, "s%d" % n, {"threshold": 50 + 5 * n, "owner": "team-%d" % (n % 3)}))
    t += 10
updates = [(T + 20000, "s1", {"threshold": 70, "owner": "team-9"}),
           (T + 30000, "s3", None),
           (T + 45000, "s5", None),
           (T + 52000, "s0", {"threshold": 99, "owner": "night"}),
           (T + 60000, "s5", {"threshold": 61, "owner": "team-5"}),
           (T + 75000, "s1", {"threshold": 40, "owner": "team-1"})]
table_rows += updates
versions = {}
table_records = []
for vt, key, value in table_rows:
    versions.setdefault(key, []).append((vt, value))
    table_records.append({"topic": "sensor-meta", "partition": partition_of(key, 2), "key": key,
                          "timestamp": vt, "value": value})

readings = []
ts = T + 500
for i in range(90):
    ts += rng.choice([300, 700, 1000, 1500])
    sensor = "s%d" % rng.randrange(8)
    readings.append({"partition": partition_of(sensor, 4), "key": sensor, "timestamp": ts,
                     "value": {"sensor": sensor, "temp": rng.randrange(30, 110), "i": i}})
# an exact tie: a reading at the very time of an update joins the update
readings.append({"partition": 1, "key": "s1", "timestamp": T + 75000 + 40000,
                 "value": {"sensor": "s1", "temp": 1, "i": 90}})
readings.append({"partition": 1, "key": "s1", "timestamp": T + 75000, "value": {"sensor": "s1", "temp": 2, "i": 91}})
readings.sort(key=lambda r: r["timestamp"])  # one time order; each partition is then in order

inner, left = [], []
for r in readings:
    v = r["value"]
    m = as_of(versions, r["key"], r["timestamp"])
    if m is not None:
        inner.append({"sensor": r["key"], "i": v["i"], "temp": v["temp"], "threshold": m[1]["threshold"],
                      "owner": m[1]["owner"], "since": m[0]})
    left.append({"left": v, "right": m[1] if m else None, "left_time": r["timestamp"],
                 "right_time": m[0] if m else None})

write("lookup-table-updates", """
job: lookup-table-updates
sources:
  readings: {topic: readings, format: json}
  sensors: {table: sensor-meta, format: json}
operators:
  by_sensor: {input: readings, key_by: value.sensor}
  enriched:
    input: [by_sensor, sensors]
    lookup: {table: sensors}
  shaped:
    input: enriched
    map:
      sensor: key
      i: value.left.i
      temp: value.left.temp
      threshold: value.right.threshold
      owner: value.right.owner
      since: value.right_time
  all_readings:
    input: [by_sensor, sensors]
    lookup: {table: sensors, type: left}
sinks:
  out: {input: shaped, topic: enriched}
  all: {input: all_readings, topic: enriched-left}
""", inner, records=readings + table_records, extra={"enriched-left": left},
      partitions={"readings": 4, "sensor-meta": 2})

# 2. alert-sensor-thresholds: the jobs/sensor-threshold-alerts.yaml pattern
#    (readings + a compacted sensor topic -> lookup -> over threshold -> alert).
job = open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "../../../jobs/sensor-threshold-alerts.yaml")).read()
alerts = []
for r in readings:
    v = r["value"]
    m = as_of(versions, r["key"], r["timestamp"])
    if m is not None and v["temp"] > m[1]["threshold"]:
        alerts.append({"sensor": r["key"], "temperature": v["temp"], "threshold": m[1]["threshold"],
                       "owner": m[1]["owner"], "at": r["timestamp"]})
alert_readings = []
for r in readings:
    r = dict(r, topic="sensor-readings")
    r["value"] = {"sensor_id": r["value"]["sensor"], "temperature": r["value"]["temp"], "ts": r["timestamp"]}
    alert_readings.append(r)
alert_table = [dict(r, topic="sensors") for r in table_records]
write("alert-sensor-thresholds", job, alerts, records=alert_readings + alert_table,
      partitions={"sensor-readings": 4, "sensors": 2})
