# Generates the golden case top-n-ties under tests/jobs/ (run:
# /usr/bin/python3 tests/jobs/tools/generate_top_n_cases.py). Expected outputs
# are computed here in plain Python from the rule in docs/jobs.md ("Top-N"),
# independently of the runtime: per key (category) and tumbling 10 s window,
# the 3 bids with the highest price; equal prices ranked by the bid's JSON text
# (ascending); ranks 1..3; output per window in rank order.
import random
from case_writer import J, write
T = 1699999980000

rng = random.Random(19)
records = []
bids = []
ts = T
cats = ["books", "games", "music", "tools", "toys"]
for i in range(150):
    ts += rng.choice([100, 300, 700, 1000])
    cat = rng.choice(cats)
    price = rng.choice([5, 10, 10, 20, 20, 20, 35, 50])  # many ties
    value = {"bid": i, "category": cat, "price": price, "ts": ts}
    records.append({"partition": cats.index(cat) % 4, "key": cat, "timestamp": ts, "value": value})
    bids.append((cat, ts, value))

groups = {}
for cat, t, v in bids:
    groups.setdefault((t - t % 10000, cat), []).append(v)
expected = []
for (start, cat), vs in groups.items():
    ranked = sorted(vs, key=lambda v: (-v["price"], J(v)))[:3]
    for rank, v in enumerate(ranked, 1):
        expected.append({"category": cat, "rank": rank, "bid": v["bid"], "price": v["price"],
                         "window_start": start})
expected.sort(key=lambda e: (e["window_start"], e["category"], e["rank"]))

write("top-n-ties", """
job: top-n-ties
sources:
  bids: {topic: bids, event_time: value.ts}
operators:
  by_category: {input: bids, key_by: value.category}
  top_bids:
    input: by_category
    top_n: {n: 3, order: value.price, window: 10s}
  shaped:
    input: top_bids
    map: {category: key, rank: value.rank, bid: value.value.bid, price: value.value.price, window_start: value.window_start}
sinks:
  out: {input: shaped, topic: top-bids}
""", expected, records=records, partitions={"bids": 4})
