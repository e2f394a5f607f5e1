# Generates the golden cases agg-nulls, union-window, join-interval-bounds,
# format-bytes, idle-partition, window-hopping-partly-late, emit-every-two-keys, on-error-dead-letter-kinds,
# filter-then-map, source-start, format-csv-quoting and
# window-output-metadata under tests/jobs/
# (run: /usr/bin/python3 tests/jobs/tools/generate_more_cases.py).
# Expected outputs are computed here in plain Python from JOB-SPEC.md and
# docs/jobs.md, independently of the runtime.
from case_writer import write
T = 1699999980000  # a minute boundary


def group_windows(rows, size):
    """rows: (event_time, key, value) -> {(start, key): [values]} for tumbling windows."""
    groups = {}
    for t, k, v in rows:
        groups.setdefault(((t // size) * size, k), []).append(v)
    return sorted(groups.items(), key=lambda kv: (kv[0][0], kv[0][1]))  # by window end, then key


def present(vs): return [v for v in vs if v is not None]


def num_key(v):  # min/max order: numbers before strings
    return (0, v, "") if isinstance(v, (int, float)) else (1, 0, v)


def distinct(vs):
    seen = []
    for v in vs:
        if not any(v == s and type(v) is not bool for s in seen):
            seen.append(v)
    return len(seen)


# 1. Aggregates skip nulls; a key with only nulls gives null (count, count_distinct: 0).
vals = [{"k": "a"}, {"k": "b", "v": 4, "w": "x"}, {"k": "a", "v": None}, {"k": "b", "w": 3},
        {"k": "c", "v": 2.5, "w": 10}, {"k": "b", "v": 2, "w": "apple"}, {"k": "c", "v": 2.5}, {"k": "c", "v": 1, "w": -1}]
out = []
for (start, k), rows in group_windows([(T + 1000 * i, r["k"], r) for i, r in enumerate(vals)], 10000):
    v = present([r.get("v") for r in rows])
    w = present([r.get("w") for r in rows])
    out.append({"n": len(rows), "s": sum(v) if v else None, "m": float(sum(v)) / len(v) if v else None,
                "lo": min(w, key=num_key) if w else None, "hi": max(w, key=num_key) if w else None,
                "f": v[0] if v else None, "l": v[-1] if v else None, "d": distinct(v),
                "window_start": start, "window_end": start + 10000})
write("agg-nulls", """
job: agg-nulls
sources:
  in: {topic: in}
operators:
  by_key: {input: in, key_by: value.k}
  w:
    input: by_key
    window: {type: tumbling, size: 10s}
    aggregate:
      n: count()
      s: sum(value.v)
      m: avg(value.v)
      lo: min(value.w)
      hi: max(value.w)
      f: first(value.v)
      l: last(value.v)
      d: count_distinct(value.v)
sinks:
  out: {input: w, topic: out}
""", out, inputs=vals)

# 2. A union of two topics, keyed and windowed: the watermark is the minimum of both.
web = [(0, "api", 10), (3000, "api", 30), (12000, "db", 5), (15000, "api", 20)]
app = [(1000, "api", 100), (2000, "db", 7), (11000, "db", 9)]
recs = [{"topic": "web", "timestamp": T + t, "value": {"svc": s, "ms": ms}} for t, s, ms in web] + \
       [{"topic": "app", "timestamp": T + t, "value": {"svc": s, "ms": ms}} for t, s, ms in app]
out = [{"n": len(ms), "total_ms": sum(ms), "slowest": max(ms), "window_start": start, "window_end": start + 10000}
       for (start, k), ms in group_windows([(T + t, s, m) for t, s, m in web + app], 10000)]
write("union-window", """
job: union-window
sources:
  web: {topic: web}
  app: {topic: app}
operators:
  both: {union: [web, app]}
  by_svc: {input: both, key_by: value.svc}
  per_10s:
    input: by_svc
    window: {type: tumbling, size: 10s}
    aggregate: {n: count(), total_ms: sum(value.ms), slowest: max(value.ms)}
sinks:
  out: {input: per_10s, topic: out}
""", out, records=recs)

# 3. Interval join: |left_time - right_time| <= within (inclusive), either side first, one-to-many.
imps = [(0, "a", 1), (1000, "b", 2), (3000, "a", 3), (6000, "c", 4), (30000, "a", 5)]
clicks = [(2000, "c", "u1"), (10000, "a", "u2"), (11001, "b", "u3"), (14000, "a", "u4"), (25000, "a", "u6"),
          (40000, "a", "u5")]
recs = [{"topic": "clicks", "timestamp": T + t, "value": {"ad": a, "user": u}} for t, a, u in clicks] + \
       [{"topic": "impressions", "timestamp": T + t, "value": {"ad": a, "imp": i}} for t, a, i in imps]
out = [{"ad": ca, "user": u, "imp": i, "delay_ms": ct - it, "ts": T + max(ct, it)}
       for ct, ca, u in clicks for it, ia, i in imps if ca == ia and abs(ct - it) <= 10000]
write("join-interval-bounds", """
job: join-interval-bounds
sources:
  clicks: {topic: clicks}
  impressions: {topic: impressions}
operators:
  clicks_by_ad: {input: clicks, key_by: value.ad}
  impressions_by_ad: {input: impressions, key_by: value.ad}
  matched:
    input: [clicks_by_ad, impressions_by_ad]
    join: {left: clicks_by_ad, right: impressions_by_ad, within: 10s}
  shaped:
    input: matched
    map: {ad: key, user: value.left.user, imp: value.right.imp, delay_ms: value.left_time - value.right_time, ts: timestamp}
sinks:
  out: {input: shaped, topic: matches}
""", out, records=recs)

# 4. bytes in, a bytes sink out: a value is its text; a string output is written as is.
blobs = ["deadbeef", "Hello, World", 'a"b', "0"]
write("format-bytes", """
job: format-bytes
sources:
  blobs: {topic: blobs, format: bytes}
operators:
  sized:
    input: blobs
    map: {text: value, n: len(value), hex: "matches(value, '^[0-9a-f]+$')"}
  loud: {input: blobs, flat_map: "[upper(value)]"}
sinks:
  out: {input: sized, topic: sized}
  raw: {input: loud, topic: raw-upper, format: bytes}
""", [{"text": b, "n": len(b.encode()), "hex": all(c in "0123456789abcdef" for c in b)} for b in blobs],
      records=[{"value": b} for b in blobs], extra={"raw-upper": [b.upper() for b in blobs]})

# 5. A topic with an empty partition and idle_after: every window still fires once, with all its records.
meters = [(0, "m1", 5), (2, "m2", 1), (0, "m1", 7), (2, "m3", 2), (2, "m2", 4), (0, "m3", 8)]
recs = [{"partition": p, "timestamp": T + 1000 * i, "value": {"m": m, "kwh": kwh}} for i, (p, m, kwh) in enumerate(meters)]
out = [{"n": len(ks), "kwh": sum(ks), "window_start": start, "window_end": start + 60000}
       for (start, m), ks in group_windows([(T + 1000 * i, m, kwh) for i, (p, m, kwh) in enumerate(meters)], 60000)]
write("idle-partition", """
job: idle-partition
sources:
  meters:
    topic: meters
    watermark: {max_delay: 0ms, idle_after: 1s}
operators:
  by_meter: {input: meters, key_by: value.m}
  per_minute:
    input: by_meter
    window: {type: tumbling, size: 1m}
    aggregate: {n: count(), kwh: sum(value.kwh)}
sinks:
  out: {input: per_minute, topic: out}
""", out, records=recs, partitions={"meters": 3})

# 6. Hopping windows with a late_records topic: a record whose windows have partly fired still
#    counts in its open ones; only a record whose windows have all fired is late.
def hopping_starts(t, size, slide):
    first = (t // slide) * slide
    return [s for s in range(first - size + slide, first + 1, slide) if s <= t < s + size]


evs = [0, 5000, 25000, 12000, 3000, 45000, 8000, 19000, 21000]
vals = [{"k": "k", "i": i, "t": T + t} for i, t in enumerate(evs)]
size, slide = 30000, 10000
open_w, fired, out, late, wm = {}, set(), [], [], None
for v in vals:
    t = v["t"]
    starts = hopping_starts(t, size, slide)
    live = [s for s in starts if s not in fired]
    if not live:
        late.append(v)
    for s in live:
        open_w.setdefault(s, []).append(v["i"])
    wm = t if wm is None else max(wm, t)
    for s in sorted(s for s in open_w if s + size - 1 <= wm):
        ids = open_w.pop(s)
        fired.add(s)
        out.append({"n": len(ids), "lo": min(ids), "hi": max(ids), "window_start": s, "window_end": s + size})
for s in sorted(open_w):
    ids = open_w[s]
    out.append({"n": len(ids), "lo": min(ids), "hi": max(ids), "window_start": s, "window_end": s + size})
write("window-hopping-partly-late", """
job: window-hopping-partly-late
sources:
  in: {topic: in, event_time: value.t, watermark: {max_delay: 0ms}}
operators:
  by_key: {input: in, key_by: value.k}
  w:
    input: by_key
    window: {type: hopping, size: 30s, slide: 10s}
    late_records: late-events
    aggregate: {n: count(), lo: min(value.i), hi: max(value.i)}
sinks:
  out: {input: w, topic: out}
""", out, inputs=vals, extra={"late-events": late})

# 7. emit: {every: 10s} with two keys: at each multiple of 10s that the watermark crosses, only
#    windows that received records since their last output emit an update; every window ends
#    with one final output.
vals = [{"k": "b" if i < 3 else "a"} for i in range(25)]
size, every = 30000, 10000
state, out, wm = {}, [], None  # (start, key) -> [count, changed]
for i, v in enumerate(vals):
    t = T + 1000 * i
    w = state.setdefault(((t // size) * size, v["k"]), [0, False])
    w[0] += 1
    w[1] = True
    crossed = wm is None or t // every > wm // every
    wm = t if wm is None else max(wm, t)
    if crossed:
        for (s, k), w in sorted(state.items(), key=lambda kv: (kv[0][0], kv[0][1])):
            if w[1]:
                out.append({"n": w[0], "window_start": s, "window_end": s + size, "final": False})
                w[1] = False
for (s, k), w in sorted(state.items(), key=lambda kv: (kv[0][0], kv[0][1])):
    out.append({"n": w[0], "window_start": s, "window_end": s + size, "final": True})
write("emit-every-two-keys", """
job: emit-every-two-keys
sources:
  in: {topic: in}
operators:
  by_key: {input: in, key_by: value.k}
  w:
    input: by_key
    window: {type: tumbling, size: 30s}
    emit: {every: 10s}
    aggregate: {n: count()}
sinks:
  out: {input: w, topic: out}
""", out, inputs=vals)

# 8. Dead letters from a source (event_time not a number) and from an operator (flat_map of a
#    non-list); flat_map of null emits nothing.
vals = [{"t": T, "items": [1, 2]}, {"t": "soon", "items": [3]}, {"t": T + 2000, "items": None},
        {"t": T + 3000, "items": "x"}, {"t": T + 4000, "items": [{"a": 1}]}]
good, bad = [], []
for v in vals:
    if not isinstance(v["t"], int) or not (v["items"] is None or isinstance(v["items"], list)):
        bad.append(v)
    else:
        good += v["items"] or []
write("on-error-dead-letter-kinds", """
job: on-error-dead-letter-kinds
on_error: {dead_letter: rejected}
sources:
  in: {topic: in, event_time: value.t}
operators:
  items: {input: in, flat_map: value.items}
sinks:
  out: {input: items, topic: items}
""", good, inputs=vals, extra={"rejected": bad})

# 9. filter and map in one node: the filter runs first, so the map never sees (and never fails
#    on) the records it drops; on_error: fail would stop the run otherwise.
vals = [{"n": i, "d": i % 3} for i in range(9)]
write("filter-then-map", """
job: filter-then-map
on_error: fail
sources:
  in: {topic: in}
operators:
  ratio:
    input: in
    filter: value.d != 0
    map: {n: value.n, q: value.n / value.d}
sinks:
  out: {input: ratio, topic: out}
""", [{"n": v["n"], "q": v["n"] / v["d"]} for v in vals if v["d"] != 0], inputs=vals)

# 10. Source start positions on the same topic: latest reads nothing that was there before the
#     run; an RFC 3339 time starts at the first record at or after it.
start = T + 20000  # 2023-11-14T22:13:20Z
vals = [{"i": i} for i in range(30)]
write("source-start", """
job: source-start
sources:
  old: {topic: in, start: latest}
  recent: {topic: in, start: "2023-11-14T22:13:20Z"}
operators:
  both: {union: [old, recent]}
sinks:
  out: {input: both, topic: out}
""", [v for i, v in enumerate(vals) if T + 1000 * i >= start], inputs=vals)

# 11. CSV quoting (RFC 4180): doubled quotes, a quoted line break, empty and trailing fields.
import csv, io
rows = ['say,"he said ""hi""",x', '"two\nlines",2', 'a,,b', 'last,', '"",only']
write("format-csv-quoting", """
job: format-csv-quoting
sources:
  rows: {topic: rows, format: csv}
operators:
  shaped:
    input: rows
    map: {fields: value, n: len(value), second: "value[1]"}
sinks:
  out: {input: shaped, topic: out}
""", [{"fields": f, "n": len(f), "second": f[1]} for f in (next(csv.reader(io.StringIO(r))) for r in rows)],
      records=[{"value": r} for r in rows])

# 12. A window's output record: key = the group key, timestamp = window_end - 1.
vals = [{"dev": "d%d" % (i % 2), "i": i} for i in range(14)]
out = [{"dev": k, "ts": start + 5000 - 1, "end": start + 5000, "n": len(rs)}
       for (start, k), rs in group_windows([(T + 1000 * i, v["dev"], v) for i, v in enumerate(vals)], 5000)]
write("window-output-metadata", """
job: window-output-metadata
sources:
  in: {topic: in}
operators:
  by_dev: {input: in, key_by: value.dev}
  w:
    input: by_dev
    window: {type: tumbling, size: 5s}
    aggregate: {n: count()}
  shaped:
    input: w
    map: {dev: key, ts: timestamp, end: value.window_end, n: value.n}
sinks:
  out: {input: shaped, topic: out}
""", out, inputs=vals)
