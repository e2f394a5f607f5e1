# Generates the golden cases dedup-basic, dedup-keyed-4p and dedup-out-of-order
# under tests/jobs/ (run: /usr/bin/python3 tests/jobs/tools/generate_dedup_cases.py).
# Expected outputs are computed here in plain Python from the rule in
# docs/jobs.md ("Deduplication"), independently of the runtime:
#   per (current record key, value of `key:`), a record is dropped when the
#   newest kept record of that key is less than `within` away in event time
#   (before or after); otherwise it is kept and, if newer, becomes the
#   reference. No input record here is behind the watermark, so when the
#   state expires does not change the result.
import random
from case_writer import J, write
T = 1699999980000  # a minute boundary; input.jsonl line i has timestamp T + 1000 * i


def dedup(rows, within):
    """rows: (stream_key, dedup_key, event_time, value) in arrival order -> kept values."""
    newest = {}
    kept = []
    for sk, dk, t, v in rows:
        k = (J(sk), J(dk))
        if k in newest and abs(t - newest[k]) < within:
            continue
        kept.append(v)
        newest[k] = max(t, newest.get(k, t))
    return kept


# 1. dedup-basic: one partition, record timestamps as event time, no key_by
#    (record key null): ids repeat at various distances; within 5s.
rng = random.Random(17)
basic = [{"id": "o%d" % rng.randrange(8), "i": i} for i in range(60)]
write("dedup-basic", """
job: dedup-basic
sources:
  orders: {topic: orders}
operators:
  unique:
    input: orders
    dedup: {key: value.id, within: 5s}
sinks:
  out: {input: unique, topic: unique-orders}
""", dedup([(None, v["id"], T + 1000 * i, v) for i, v in enumerate(basic)], 5000), inputs=basic)

# 2. dedup-keyed-4p: four partitions, keyed by the Kafka key (device), key_by
#    device, duplicates by event id within 10s. Each device's records are in
#    one partition (in event-time order), so its order is fixed.
records = []
rows = []
ts = T
devices = ["d%d" % n for n in range(6)]
for i in range(120):
    dev = devices[rng.randrange(len(devices))]
    ev = "e%d" % rng.randrange(4)
    ts += rng.choice([200, 500, 1000, 3000])
    value = {"device": dev, "event": ev, "seq": i, "ts": ts}
    records.append({"partition": devices.index(dev) % 4, "key": dev, "timestamp": ts, "value": value})
    rows.append((dev, ev, ts, value))
write("dedup-keyed-4p", """
job: dedup-keyed-4p
parallelism: 2
sources:
  events: {topic: events, event_time: value.ts}
operators:
  by_device: {input: events, key_by: value.device}
  unique:
    input: by_device
    dedup: {key: value.event, within: 10s}
sinks:
  out: {input: unique, topic: unique-events}
""", dedup(rows, 10000), records=records, partitions={"events": 4})

# 3. dedup-out-of-order: one partition, event time from the value, arriving
#    out of order by up to 4s with max_delay 5s (nothing is late); within 3s,
#    so an older record more than 3s before the newest kept one is kept again.
ooo = []
base = T
for i in range(80):
    base += 1000
    t = base - rng.choice([0, 0, 0, 1000, 2500, 4000])
    ooo.append({"k": "x%d" % rng.randrange(4), "t": t, "i": i})
# nothing may be behind the watermark (max event time so far - 5s)
mx = None
for v in ooo:
    assert mx is None or v["t"] >= mx - 5000
    mx = v["t"] if mx is None else max(mx, v["t"])
write("dedup-out-of-order", """
job: dedup-out-of-order
sources:
  in: {topic: in, event_time: value.t, watermark: {max_delay: 5s}}
operators:
  unique:
    input: in
    dedup: {key: value.k, within: 3s}
  shaped: {input: unique, map: {k: value.k, i: value.i}}
sinks:
  out: {input: shaped, topic: out}
""", [{"k": v["k"], "i": v["i"]} for v in dedup([(None, v["k"], v["t"], v) for v in ooo], 3000)], inputs=ooo)
