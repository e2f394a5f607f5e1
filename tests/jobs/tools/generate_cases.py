# Generates golden job cases under tests/jobs/ (run: /usr/bin/python3 tests/jobs/tools/generate_cases.py).
# Expected outputs are computed here, independently of the runtime (window aggregates in plain Python);
# the percentile values are the sketch's, asserted below to be within its documented 1% error.
import json, os, math
ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
T = 1699999980000

def J(v): return json.dumps(v, separators=(",", ":"))

def write(name, job, inputs=None, records=None, expected=(), extra=None, partitions=None):
    d = os.path.join(ROOT, name)
    os.makedirs(d, exist_ok=True)
    open(os.path.join(d, "job.yaml"), "w").write(job.lstrip())
    if inputs is not None:
        open(os.path.join(d, "input.jsonl"), "w").write("".join((x if isinstance(x, str) else J(x)) + "\n" for x in inputs))
    if records is not None:
        open(os.path.join(d, "records.jsonl"), "w").write("".join(J(r) + "\n" for r in records))
    open(os.path.join(d, "expected.jsonl"), "w").write("".join((x if isinstance(x, str) else J(x)) + "\n" for x in expected))
    for topic, lines in (extra or {}).items():
        open(os.path.join(d, "expected.%s.jsonl" % topic), "w").write("".join((x if isinstance(x, str) else J(x)) + "\n" for x in lines))
    if partitions:
        open(os.path.join(d, "partitions.json"), "w").write(J(partitions) + "\n")

def tumbling(ts, size): return (ts // size) * size

def fire_order(groups):
    # windows fire by end, then start, then key (canonical bytes order == string order for string keys here)
    return sorted(groups.items(), key=lambda kv: (kv[0][1] + 0, kv[0][0], kv[0][2]))

# 1. filter
logs = [{"service": "api" if i % 3 else "db", "level": "error" if i % 4 == 0 else "info", "i": i} for i in range(30)]
write("op-filter", """
job: op-filter
sources:
  logs: {topic: logs}
operators:
  errors: {input: logs, filter: value.level == "error"}
sinks:
  out: {input: errors, topic: errors}
""", inputs=logs, expected=[l for l in logs if l["level"] == "error"])

# 2. map with "*"
rows = [{"n": i, "s": "x%d" % i} for i in range(10)]
write("op-map-spread", """
job: op-map-spread
sources:
  rows: {topic: rows}
operators:
  shaped:
    input: rows
    map: {"*": value, doubled: value.n * 2, n: value.n + 1}
sinks:
  out: {input: shaped, topic: shaped}
""", inputs=rows, expected=[{"n": r["n"] + 1, "s": r["s"], "doubled": r["n"] * 2} for r in rows])

# 3. key_by then key in map
pay = [{"user": "u%d" % (i % 4), "amount": i * 10} for i in range(12)]
write("op-key-by", """
job: op-key-by
sources:
  payments: {topic: payments}
operators:
  by_user: {input: payments, key_by: value.user}
  shaped:
    input: by_user
    map: {user: key, cents: value.amount * 100}
sinks:
  out: {input: shaped, topic: keyed}
""", inputs=pay, expected=[{"user": p["user"], "cents": p["amount"] * 100} for p in pay])

# 4. flat_map
orders = [{"id": 1, "items": [{"sku": "a"}, {"sku": "b"}]}, {"id": 2, "items": []}, {"id": 3, "items": None},
          {"id": 4, "items": [{"sku": "c"}]}]
write("op-flat-map", """
job: op-flat-map
sources:
  orders: {topic: orders}
operators:
  items: {input: orders, flat_map: value.items}
sinks:
  out: {input: items, topic: items}
""", inputs=orders, expected=[{"sku": "a"}, {"sku": "b"}, {"sku": "c"}])

# 5. union of two topics
recs = [{"topic": "left", "value": {"side": "l", "i": i}} for i in range(5)] + \
       [{"topic": "right", "value": {"side": "r", "i": i}} for i in range(4)]
write("op-union", """
job: op-union
sources:
  left: {topic: left}
  right: {topic: right}
operators:
  both: {union: [left, right]}
sinks:
  out: {input: both, topic: both}
""", records=recs, expected=[r["value"] for r in recs])

# windows over input.jsonl: record i at T + 1000 i
def win_job(name, agg, size="10s", extra_ops="", key="value.k"):
    return ("""
job: %s
sources:
  in: {topic: in}
operators:
  by_key: {input: in, key_by: %s}
  w:
    input: by_key
    window: {type: tumbling, size: %s}
    aggregate:
%s
sinks:
  out: {input: w, topic: out}
""" % (name, key, size, "\n".join("      %s: %s" % kv for kv in agg)))

def run_windows(values, size_ms, key, aggs):
    groups = {}
    for i, v in enumerate(values):
        ts = T + 1000 * i
        s = tumbling(ts, size_ms)
        groups.setdefault((s, s + size_ms, key(v)), []).append(v)
    out = []
    for (s, e, k), vs in sorted(groups.items(), key=lambda kv: (kv[0][1], kv[0][0], kv[0][2])):
        o = {}
        for name, fn in aggs: o[name] = fn(vs)
        o["window_start"] = s; o["window_end"] = e
        out.append(o)
    return out

vals = [{"k": "k%d" % (i % 2), "v": i} for i in range(25)]
write("agg-count-sum", win_job("agg-count-sum", [("n", "count()"), ("total", "sum(value.v)")]), inputs=vals,
      expected=run_windows(vals, 10000, lambda v: v["k"], [("n", len), ("total", lambda vs: sum(x["v"] for x in vs))]))

names = ["pear", "apple", "fig", "kiwi", "date", "plum", "lime", "yam", "nut", "bean", "corn", "leek"]
vals2 = [{"k": "k", "v": (i * 7) % 11 - 3, "name": names[i]} for i in range(12)]
write("agg-min-max", win_job("agg-min-max", [("lo", "min(value.v)"), ("hi", "max(value.v)"), ("first_name", "min(value.name)"), ("last_name", "max(value.name)")]),
      inputs=vals2, expected=run_windows(vals2, 10000, lambda v: v["k"], [
          ("lo", lambda vs: min(x["v"] for x in vs)), ("hi", lambda vs: max(x["v"] for x in vs)),
          ("first_name", lambda vs: min(x["name"] for x in vs)), ("last_name", lambda vs: max(x["name"] for x in vs))]))

vals3 = [{"k": "a" if i % 3 else "b", "v": i * 1.5 if i % 5 else None} for i in range(20)]
def avg(vs):
    xs = [x["v"] for x in vs if x["v"] is not None]
    return sum(xs) / len(xs) if xs else None
write("agg-avg-first-last", win_job("agg-avg-first-last", [("mean", "avg(value.v)"), ("first_v", "first(value.v)"), ("last_v", "last(value.v)")]),
      inputs=vals3, expected=run_windows(vals3, 10000, lambda v: v["k"], [
          ("mean", avg),
          ("first_v", lambda vs: next((x["v"] for x in vs if x["v"] is not None), None)),
          ("last_v", lambda vs: next((x["v"] for x in reversed(vs) if x["v"] is not None), None))]))

vals4 = [{"k": "k", "user": ["u1", "u2", 1, 1.0, "u1", None, 2][i % 7]} for i in range(14)]
def distinct(vs):
    seen = set()
    for x in vs:
        u = x["user"]
        if u is None: continue
        seen.add(("n", float(u)) if isinstance(u, (int, float)) else ("s", u))
    return len(seen)
write("agg-count-distinct", win_job("agg-count-distinct", [("users", "count_distinct(value.user)")]),
      inputs=vals4, expected=run_windows(vals4, 10000, lambda v: v["k"], [("users", distinct)]))

# hopping: size 20s slide 10s
vals5 = [{"k": "k", "v": 1} for i in range(30)]
hop = {}
for i, v in enumerate(vals5):
    ts = T + 1000 * i
    last = tumbling(ts, 10000)
    for s in (last - 10000, last):
        if s <= ts < s + 20000: hop.setdefault((s, s + 20000), 0); hop[(s, s + 20000)] += 1
write("window-hopping", """
job: window-hopping
sources:
  in: {topic: in}
operators:
  by_key: {input: in, key_by: value.k}
  w:
    input: by_key
    window: {type: hopping, size: 20s, slide: 10s}
    aggregate: {n: count()}
sinks:
  out: {input: w, topic: out}
""", inputs=vals5, expected=[{"n": n, "window_start": s, "window_end": e} for (s, e), n in sorted(hop.items(), key=lambda kv: (kv[0][1], kv[0][0]))])

# global window (no key_by)
vals6 = [{"v": i} for i in range(25)]
write("window-global", """
job: window-global
sources:
  in: {topic: in}
operators:
  w:
    input: in
    window: {type: tumbling, size: 10s}
    aggregate: {n: count(), total: sum(value.v)}
sinks:
  out: {input: w, topic: out}
""", inputs=vals6, expected=run_windows(vals6, 10000, lambda v: "", [("n", len), ("total", lambda vs: sum(x["v"] for x in vs))]))

# allowed lateness with event_time out of order, late records to a topic
ev = [0, 1000, 2000, 11000, 3000, 12000, 25000, 9000, 26000, 4000]
vals7 = [{"k": "k", "t": T + e, "i": i} for i, e in enumerate(ev)]
# max_delay 0, allowed_lateness 5s; window 10s. watermark = max t so far.
wm = None; state = {}; fired = []; late = []
def fire(upto):
    for (s, e) in sorted(list(state.keys()), key=lambda w: (w[1], w[0])):
        if upto >= e - 1 + 5000:
            fired.append({"n": len(state[(s, e)]), "ids": None, "window_start": s, "window_end": e, "_ids": state[(s, e)]})
            del state[(s, e)]
for v in vals7:
    s = tumbling(v["t"], 10000); e = s + 10000
    if wm is not None and wm >= e - 1 + 5000:
        late.append(v)
    else:
        state.setdefault((s, e), []).append(v["i"])
    wm = v["t"] if wm is None else max(wm, v["t"])
    fire(wm)
fire(10**18)
write("window-allowed-lateness", """
job: window-allowed-lateness
sources:
  in: {topic: in, event_time: value.t, watermark: {max_delay: 0s}}
operators:
  by_key: {input: in, key_by: value.k}
  w:
    input: by_key
    window: {type: tumbling, size: 10s}
    allowed_lateness: 5s
    late_records: too-late
    aggregate: {n: count(), first_i: first(value.i), last_i: last(value.i)}
sinks:
  out: {input: w, topic: out}
""", inputs=vals7, expected=[{"n": f["n"], "first_i": f["_ids"][0], "last_i": f["_ids"][-1], "window_start": f["window_start"], "window_end": f["window_end"]} for f in fired],
      extra={"too-late": late})

# late records dropped when there is no late_records topic
write("window-late-dropped", """
job: window-late-dropped
sources:
  in: {topic: in, event_time: value.t, watermark: {max_delay: 0s}}
operators:
  by_key: {input: in, key_by: value.k}
  w:
    input: by_key
    window: {type: tumbling, size: 10s}
    aggregate: {n: count()}
sinks:
  out: {input: w, topic: out}
""", inputs=[{"k": "k", "t": T + e} for e in [0, 5000, 15000, 3000, 16000, 30000]],
      expected=[{"n": 2, "window_start": T, "window_end": T + 10000}, {"n": 2, "window_start": T + 10000, "window_end": T + 20000},
                {"n": 1, "window_start": T + 30000, "window_end": T + 40000}])

# emit every (event time): 30 s windows, updates every 10 s
vals8 = [{"k": "k", "v": 1} for i in range(40)]
exp8 = []
# watermark = ts of record (max_delay 0, event time = timestamp). Updates when wm crosses a multiple of 10 s.
for i in range(40):
    ts = T + 1000 * i
    s = tumbling(ts, 30000)
# simulate
wm = None; wins = {}; dirty = set(); out8 = []
def on_wm(new):
    global wm
    prev = wm; wm = new
    for (s, e) in sorted(list(wins.keys()), key=lambda w: (w[1], w[0])):
        if wm >= e - 1:
            out8.append({"n": wins[(s, e)], "window_start": s, "window_end": e, "final": True}); del wins[(s, e)]; dirty.discard((s, e))
    if prev is None or (wm // 10000) > (prev // 10000):
        for (s, e) in sorted(list(wins.keys()), key=lambda w: (w[1], w[0])):
            if (s, e) in dirty:
                out8.append({"n": wins[(s, e)], "window_start": s, "window_end": e, "final": False}); dirty.discard((s, e))
for i, v in enumerate(vals8):
    ts = T + 1000 * i
    s = tumbling(ts, 30000); e = s + 30000
    wins[(s, e)] = wins.get((s, e), 0) + 1; dirty.add((s, e))
    on_wm(ts)
on_wm(10**18)
write("emit-every", """
job: emit-every
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
""", inputs=vals8, expected=out8)

# on_error: skip
write("on-error-skip", """
job: on-error-skip
on_error: skip
sources:
  in: {topic: in}
operators:
  ratio:
    input: in
    map: {r: value.a / value.b, name: upper(value.name)}
sinks:
  out: {input: ratio, topic: out}
""", inputs=[J({"a": 1, "b": 2, "name": "x"}), "not json", J({"a": 3, "b": 4, "name": 5}), J({"a": 5, "b": 5, "name": "y"})],
      expected=[{"r": 0.5, "name": "X"}, {"r": 1.0, "name": "Y"}])

# on_error: dead_letter to a named topic
write("on-error-dead-letter", """
job: on-error-dead-letter
on_error: {dead_letter: bad-records}
sources:
  in: {topic: in}
operators:
  shaped:
    input: in
    map: {name: upper(value.name)}
sinks:
  out: {input: shaped, topic: out}
""", inputs=[J({"name": "a"}), J({"name": 7}), "{broken", J({"name": "b"})],
      expected=[{"name": "A"}, {"name": "B"}], extra={"bad-records": [J({"name": 7}), J("{broken")]})

# string format
write("format-string", """
job: format-string
sources:
  lines: {topic: lines, format: string}
operators:
  loud:
    input: lines
    filter: len(value) > 2
    map: {line: upper(value), size: len(value)}
sinks:
  out: {input: loud, topic: out}
""", inputs=["hello", "no", "world wide"], expected=[{"line": "HELLO", "size": 5}, {"line": "WORLD WIDE", "size": 10}])

# string sink format (string written as is)
write("format-string-sink", """
job: format-string-sink
sources:
  in: {topic: in}
operators:
  names:
    input: in
    map: {n: value.name}
  text:
    input: names
    map: {"*": value}
sinks:
  out: {input: text, topic: out, format: json}
""", inputs=[{"name": "a"}, {"name": "b"}], expected=[{"n": "a"}, {"n": "b"}])

# csv
write("format-csv", """
job: format-csv
sources:
  rows: {topic: rows, format: csv}
operators:
  parsed:
    input: rows
    map:
      city: value[0]
      temp: to_float(value[1])
      note: value[2]
sinks:
  out: {input: parsed, topic: out}
""", inputs=["Oslo,3.5,cold", 'Rome,21,"sunny, warm"', 'Lima,18,""'],
      expected=[{"city": "Oslo", "temp": 3.5, "note": "cold"}, {"city": "Rome", "temp": 21.0, "note": "sunny, warm"}, {"city": "Lima", "temp": 18.0, "note": ""}])

# record metadata: topic, partition, offset, timestamp
write("record-metadata", """
job: record-metadata
sources:
  in: {topic: events}
operators:
  meta:
    input: in
    map: {topic: topic, partition: partition, offset: offset, at: format_time(timestamp), v: value.v}
sinks:
  out: {input: meta, topic: out}
""", inputs=[{"v": i} for i in range(3)], expected=[{"topic": "events", "partition": 0, "offset": i, "at": "2023-11-14T22:13:%02d.000Z" % i, "v": i} for i in range(3)])

# functions
write("expr-functions", """
job: expr-functions
sources:
  in: {topic: in}
operators:
  f:
    input: in
    map:
      abs: abs(value.x)
      rounded: round(value.y, 1)
      floor: floor(value.y)
      ceil: ceil(value.y)
      lo: min(value.x, 3, 7)
      hi: max(value.x, 3, 7)
      lower: lower(value.s)
      has: contains(value.s, "ell")
      starts: starts_with(value.s, "He")
      ends: ends_with(value.s, "lo")
      joined: concat(value.s, "-", to_string(value.x))
      sub: substr(value.s, 1, 3)
      re: matches(value.s, "^H.*o$")
      int: to_int("42")
      dflt: coalesce(value.missing, "none")
      missing: is_null(value.missing)
      parsed: parse_time("2023-11-14T22:13:20Z")
sinks:
  out: {input: f, topic: out}
""", inputs=[{"x": -5, "y": 2.46, "s": "Hello"}], expected=[{"abs": 5, "rounded": 2.5, "floor": 2, "ceil": 3, "lo": -5, "hi": 7,
    "lower": "hello", "has": True, "starts": True, "ends": True, "joined": "Hello--5", "sub": "ell", "re": True, "int": 42,
    "dflt": "none", "missing": True, "parsed": 1700000000000}])

# two windows in a row: the second groups by the key the first one emits (the group key)
vals9 = [{"k": "k%d" % (i % 3), "v": 1} for i in range(30)]
write("window-chained", """
job: window-chained
sources:
  in: {topic: in}
operators:
  by_key: {input: in, key_by: value.k}
  per_key:
    input: by_key
    window: {type: tumbling, size: 10s}
    aggregate: {n: count()}
  all:
    input: per_key
    window: {type: tumbling, size: 10s}
    aggregate: {keys: count(), records: sum(value.n)}
sinks:
  out: {input: all, topic: out}
""", inputs=vals9, expected=[{"keys": 1, "records": len([i for i in range(30) if i % 3 == k and s <= i * 1000 < s + 10000]),
                              "window_start": T + s, "window_end": T + s + 10000}
                             for s in (0, 10000, 20000) for k in range(3)])

# session windows with several keys and merging
ev2 = [("a", 0), ("b", 1000), ("a", 2000), ("a", 9000), ("b", 20000), ("a", 4000), ("b", 22000), ("a", 30000)]
write("window-session-merge", """
job: window-session-merge
sources:
  in: {topic: in, event_time: value.t, watermark: {max_delay: 10s}}
operators:
  by_user: {input: in, key_by: value.u}
  visits:
    input: by_user
    window: {type: session, gap: 3s}
    aggregate: {n: count(), first_t: first(value.t)}
sinks:
  out: {input: visits, topic: out}
""", inputs=[{"u": u, "t": T + t} for u, t in ev2], expected=[
    {"n": 1, "first_t": T + 1000, "window_start": T + 1000, "window_end": T + 4000},
    {"n": 2, "first_t": T, "window_start": T, "window_end": T + 5000},
    {"n": 1, "first_t": T + 9000, "window_start": T + 9000, "window_end": T + 12000},
    {"n": 2, "first_t": T + 20000, "window_start": T + 20000, "window_end": T + 25000},
    {"n": 1, "first_t": T + 30000, "window_start": T + 30000, "window_end": T + 33000}])

PCT = {"p50": 49.90296094906653, "p90": 89.13032933635913, "p99": 98.50457626879137, "n": 100,
       "window_start": 1699999200000, "window_end": 1700002800000}
for q, exact in (("p50", 50), ("p90", 90), ("p99", 99)):
    assert abs(PCT[q] - exact) <= 0.01 * exact, q
# percentile: 100 values in one 1-hour window; the expected values were checked to be within
# the documented 1% of the exact order statistics (rank floor(q*(n-1)): 50, 90, 99).
write("agg-percentile", """
job: agg-percentile
sources:
  in: {topic: in}
operators:
  by_key: {input: in, key_by: value.k}
  w:
    input: by_key
    window: {type: tumbling, size: 1h}
    aggregate:
      p50: percentile(value.v, 0.5)
      p90: percentile(value.v, 0.9)
      p99: percentile(value.v, 0.99)
      n: count()
sinks:
  out: {input: w, topic: out}
""", inputs=[{"k": "k", "v": (i * 37) % 100 + 1} for i in range(100)], expected=[PCT])
