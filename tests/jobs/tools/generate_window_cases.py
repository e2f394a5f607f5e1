# Generates the golden cases agg-max-by-q7, agg-top-n-q5, window-count and
# window-processing-time under tests/jobs/ (run:
# /usr/bin/python3 tests/jobs/tools/generate_window_cases.py). Expected outputs
# are computed here in plain Python from the rules in docs/jobs.md ("Ranked
# aggregates", "Count windows", "Processing-time windows"), independently of
# the runtime:
#   - max_by(x, o) / min_by(x, o): the x of the record with the largest /
#     smallest o; top_n(n, o[, x]): the x (default: the record's value) of the
#     n records with the largest o, largest first. Equal o rank by the JSON
#     text of x, ascending (bytewise). Numbers only here.
#   - a count window of size N: per key, records 1..N, N+1..2N, ... in arrival
#     order (a key's records stay in one partition, in file order); window_start
#     the smallest event time of the N, window_end the largest + 1; an
#     incomplete last window is not emitted.
#   - processing-time windows: only facts that do not depend on the clock or
#     the machine's speed are asserted (every record counted once; every
#     window spans exactly its size).
# Every partition's records are in event-time order, so nothing is late.
import random
from case_writer import J, write
T = 1699999980000


def ranked(pairs, n, descending=True):
    """pairs: [(order, x)]; the x of the best n, ties by J(x) ascending."""
    sign = -1 if descending else 1
    return [x for o, x in sorted(pairs, key=lambda p: (sign * p[0], J(p[1])))[:n]]


rng = random.Random(181)

# 1. agg-max-by-q7 (Nexmark q7: the highest bid per window, no key: one group
#    per window). Few distinct prices, so most windows have ties; four
#    partitions interleave at any parallelism.
bids = []
ts = T
for i in range(240):
    ts += rng.choice([50, 200, 400, 900])
    value = {"auction": rng.randrange(1, 13), "bidder": "b%d" % rng.randrange(0, 9),
             "price": rng.choice([10, 20, 20, 35, 35, 50]), "ts": ts}
    bids.append(value)
records = [{"partition": rng.randrange(4), "timestamp": v["ts"], "value": v} for v in bids]
windows = {}
for v in bids:
    windows.setdefault(v["ts"] - v["ts"] % 10000, []).append(v)
expected = []
for start in sorted(windows):
    vs = windows[start]
    expected.append({"bids": len(vs),
                     "highest": ranked([(v["price"], v) for v in vs], 1)[0],
                     "cheapest_bidder": ranked([(v["price"], v["bidder"]) for v in vs], 1, descending=False)[0],
                     "top3": ranked([(v["price"], v["auction"]) for v in vs], 3),
                     "window_start": start, "window_end": start + 10000})
write("agg-max-by-q7", """
job: agg-max-by-q7
sources:
  bids: {topic: bids, event_time: value.ts}
operators:
  highest:
    input: bids
    window: {type: tumbling, size: 10s}
    aggregate:
      bids: count()
      highest: 'max_by(value, value.price)'
      cheapest_bidder: 'min_by(value.bidder, value.price)'
      top3: 'top_n(3, value.price, value.auction)'
sinks:
  out: {input: highest, topic: q7}
""", expected, records=records, partitions={"bids": 4})

# 2. agg-top-n-q5 (Nexmark q5: the auctions with the most bids per window):
#    count per auction and window, then per window the arg-max and the top 3
#    by count (ties: the smaller JSON text of the auction id, so 10 before 9).
bids = []
ts = T
for i in range(300):
    ts += rng.choice([30, 100, 250, 600])
    auction = rng.choice([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 3, 9, 10])
    bids.append({"auction": auction, "price": rng.randrange(1, 100), "ts": ts})
records = [{"partition": v["auction"] % 4, "timestamp": v["ts"], "value": v} for v in bids]
counts = {}
for v in bids:
    key = (v["ts"] - v["ts"] % 10000, v["auction"])
    counts[key] = counts.get(key, 0) + 1
per_window = {}
for (start, auction), n in counts.items():
    per_window.setdefault(start, []).append((n, auction))
expected = []
for start in sorted(per_window):
    pairs = per_window[start]
    expected.append({"auctions": len(pairs), "hottest": ranked(pairs, 1)[0], "top3": ranked(pairs, 3),
                     "fewest": ranked(pairs, 1, descending=False)[0], "window_start": start, "window_end": start + 10000})
write("agg-top-n-q5", """
job: agg-top-n-q5
sources:
  bids: {topic: bids, event_time: value.ts}
operators:
  by_auction: {input: bids, key_by: value.auction}
  counts:
    input: by_auction
    window: {type: tumbling, size: 10s}
    aggregate: {n: count()}
  tagged: {input: counts, map: {auction: key, n: value.n, window_start: value.window_start}}
  by_window: {input: tagged, key_by: value.window_start}
  hottest:
    input: by_window
    window: {type: tumbling, size: 10s}
    aggregate:
      auctions: count()
      hottest: 'max_by(value.auction, value.n)'
      top3: 'top_n(3, value.n, value.auction)'
      fewest: 'min_by(value.auction, value.n)'
sinks:
  out: {input: hottest, topic: q5}
""", expected, records=records, partitions={"bids": 4})

# 3. window-count: per sensor, every 3 readings; event times jitter within a
#    sensor (count windows ignore watermarks), sensors spread over 4 partitions.
sensors = ["s%d" % i for i in range(7)]
readings = []
ts = T
for i in range(130):
    ts += 100
    s = rng.choice(sensors)
    readings.append({"sensor": s, "seq": i, "v": rng.choice([1, 2, 3, 5, 8, 8]), "ts": ts + rng.randrange(-3000, 3000)})
records = [{"partition": int(v["sensor"][1:]) % 4, "key": v["sensor"], "timestamp": T + 100 * v["seq"], "value": v}
           for v in readings]
expected = []
for s in sensors:
    mine = [v for v in readings if v["sensor"] == s]
    for i in range(0, len(mine) - len(mine) % 3, 3):
        w = mine[i:i + 3]
        expected.append({"sensor": s, "n": 3, "total": sum(v["v"] for v in w),
                         "peak": ranked([(v["v"], v["seq"]) for v in w], 1)[0], "first": w[0]["seq"],
                         "window_start": min(v["ts"] for v in w), "window_end": max(v["ts"] for v in w) + 1})
write("window-count", """
job: window-count
sources:
  readings: {topic: readings, event_time: value.ts, watermark: {max_delay: 5s}}
operators:
  by_sensor: {input: readings, key_by: value.sensor}
  every3:
    input: by_sensor
    window: {type: count, size: 3}
    aggregate: {n: count(), total: sum(value.v), peak: 'max_by(value.seq, value.v)', first: first(value.seq)}
  shaped:
    input: every3
    map: {sensor: key, n: value.n, total: value.total, peak: value.peak, first: value.first, window_start: value.window_start, window_end: value.window_end}
sinks:
  out: {input: shaped, topic: out}
""", expected, records=records, partitions={"readings": 4})

# 4. window-processing-time: 10 ms processing-time windows per user, then an
#    event-time window as long as ten years over their outputs (whose event
#    time is their window's end - 1, on the wall clock): per user the total of
#    the counts must be the user's number of records, and every window must
#    span 10 ms, however fast the machine and whatever the clock says.
users = ["u%d" % i for i in range(5)]
clicks = [{"user": rng.choice(users), "seq": i} for i in range(400)]
records = [{"partition": int(v["user"][1:]) % 2, "key": v["user"], "value": v} for v in clicks]
expected = [{"user": u, "total": sum(1 for v in clicks if v["user"] == u), "min_span": 10, "max_span": 10}
            for u in users]
write("window-processing-time", """
job: window-processing-time
sources:
  clicks: {topic: clicks}
operators:
  by_user: {input: clicks, key_by: value.user}
  per_10ms:
    input: by_user
    window: {type: tumbling, size: 10ms, time: processing}
    aggregate: {n: count()}
  spans: {input: per_10ms, map: {n: value.n, span: value.window_end - value.window_start}}
  totals:
    input: spans
    window: {type: tumbling, size: 3650d}
    aggregate: {total: sum(value.n), min_span: min(value.span), max_span: max(value.span)}
  shaped: {input: totals, map: {user: key, total: value.total, min_span: value.min_span, max_span: value.max_span}}
sinks:
  out: {input: shaped, topic: out}
""", expected, records=records, partitions={"clicks": 2})
