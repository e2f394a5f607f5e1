# Generates the golden cases of updating aggregates (window: {type: global})
# and state TTL under tests/jobs/ (run: /usr/bin/python3
# tests/jobs/tools/generate_updating_cases.py). Expected outputs are computed
# here in plain Python from the rules in docs/jobs.md ("Updating aggregates
# and state TTL"), independently of the runtime:
#   per key, the aggregates over its records since its state started; a record
#   at t' >= (the key's newest event time) + state_ttl restarts the key (with
#   emit every, after emitting the key's pending update). emit: changes emits
#   the key's result after each record; emit: {every: D} emits, each time the
#   watermark (one partition: the largest event time so far, after each
#   record) crosses a multiple of D, every key updated since its last output,
#   keys ordered by (byte length, bytes), and all pending keys at the end. An
#   output's value is {<aggregates>, window_start: earliest event time,
#   window_end: newest + 1}, its key the group key.
# Besides expected.jsonl (every update), each case has latest.<topic>.jsonl:
# the latest value per key, what a compacted output topic keeps.
import random
from case_writer import J, ROOT, write
import os
T = 1699999980000  # a minute boundary


def key_order(k):
    b = k.encode()
    return (len(b), b)


class Updating:
    """The reference: rows (key, event_time, amount) in arrival order."""

    def __init__(self, ttl=None, every=None):
        self.ttl, self.every = ttl, every
        self.state = {}  # key -> dict(n, total, first, last, pending)
        self.out = []    # (key, value)
        self.expired = 0
        self.w = None

    def emit(self, k):
        s = self.state[k]
        self.out.append((k, {"n": s["n"], "total": s["total"], "window_start": s["first"],
                             "window_end": s["last"] + 1}))

    def record(self, k, t, amount, watermark=True):
        s = self.state.get(k)
        if s is not None and self.ttl is not None and t >= s["last"] + self.ttl:
            if s["pending"]:
                self.emit(k)
            self.expired += 1
            s = None
        if s is None:
            s = self.state[k] = {"n": 0, "total": 0, "first": t, "last": t, "pending": False}
        s["n"] += 1
        s["total"] += amount
        s["first"] = min(s["first"], t)
        s["last"] = max(s["last"], t)
        if self.every is None:
            self.emit(k)
        else:
            s["pending"] = True
        if watermark:
            self.watermark(t if self.w is None else max(self.w, t))

    def flush_pending(self):
        for k in sorted((k for k, s in self.state.items() if s["pending"]), key=key_order):
            self.state[k]["pending"] = False
            self.emit(k)

    def watermark(self, w):
        if self.w is not None and w <= self.w:
            return
        prev, self.w = self.w, w
        if self.every is not None and (prev is None or w // self.every > prev // self.every):
            self.flush_pending()
        if self.ttl is not None:
            for k in [k for k, s in self.state.items() if s["last"] + self.ttl <= w]:
                assert not self.state[k]["pending"], "the case must not expire a pending key at a watermark"
                del self.state[k]
                self.expired += 1

    def finish(self):
        if self.every is not None:
            self.flush_pending()


def latest(out):
    last = {}
    for k, v in out:
        last[k] = v
    return ['{"key":%s,"value":%s}' % (J(k), J(v)) for k, v in sorted(last.items())]


def write_latest(name, topic, out):
    open(os.path.join(ROOT, name, "latest.%s.jsonl" % topic), "w").write("".join(l + "\n" for l in latest(out)))


rng = random.Random(18)

# 1. updating-count-changes: one partition, record timestamps as event time,
#    key_by user, a running count and sum per user emitted on every change.
users = ["u%d" % n for n in range(1, 8)]
rows = [{"user": users[rng.randrange(len(users))], "amount": rng.randrange(1, 50), "i": i} for i in range(70)]
ref = Updating()
for i, r in enumerate(rows):
    ref.record(r["user"], T + 1000 * i, r["amount"])
ref.finish()
write("updating-count-changes", """
job: updating-count-changes
sources:
  payments: {topic: payments}
operators:
  by_user: {input: payments, key_by: value.user}
  totals:
    input: by_user
    window: {type: global}
    aggregate: {n: count(), total: sum(value.amount)}
    emit: changes
sinks:
  out: {input: totals, topic: user-totals}
""", [v for _, v in ref.out], inputs=rows)
write_latest("updating-count-changes", "user-totals", ref.out)

# 2. updating-state-ttl: four partitions keyed by user (each partition's event
#    times ascend, so no record is behind the watermark), state_ttl 20s: a user
#    idle for 20s or more of event time restarts at n = 1.
records = []
ref = Updating(ttl=20000)
ts = [T] * 4
for i in range(120):
    u = users[rng.randrange(len(users))]
    p = users.index(u) % 4
    ts[p] += rng.choice([1000, 2000, 5000, 12000, 25000])
    amount = rng.randrange(1, 20)
    records.append({"partition": p, "key": u, "timestamp": ts[p], "value": {"user": u, "amount": amount, "ts": ts[p]}})
# The operator sees each user's records in their partition's order and its
# watermark is the minimum over the partitions, never above a record's time
# (see above): a key dropped by the watermark is one that its next record
# restarts anyway, so the reference needs only each key's records in order
# and the rule on arrival (no watermark of its own: the partitions' times are
# independent).
for r in records:
    ref.record(r["key"], r["value"]["ts"], r["value"]["amount"], watermark=False)
ref.finish()
assert ref.expired > 5
write("updating-state-ttl", """
job: updating-state-ttl
sources:
  payments: {topic: payments, event_time: value.ts}
operators:
  by_user: {input: payments, key_by: value.user}
  totals:
    input: by_user
    window: {type: global}
    aggregate: {n: count(), total: sum(value.amount)}
    emit: changes
    state_ttl: 20s
sinks:
  out: {input: totals, topic: user-totals}
""", [v for _, v in ref.out], records=records, partitions={"payments": 4})
write_latest("updating-state-ttl", "user-totals", ref.out)

# 3. updating-emit-every-ttl: one partition, event times from the value
#    ascending, emit every 10s with state_ttl 30s (ttl >= every: a key's
#    update is emitted at a boundary before it can expire at a watermark; a
#    key restarted by a record emits its pending update first).
rows = []
t = T
for i in range(90):
    t += rng.choice([500, 1000, 3000, 7000])
    rows.append({"user": users[rng.randrange(4)] if i < 60 else users[4 + rng.randrange(3)],
                 "amount": rng.randrange(1, 9), "ts": t})
ref = Updating(ttl=30000, every=10000)
for r in rows:
    ref.record(r["user"], r["ts"], r["amount"])
ref.finish()
assert ref.expired > 2
write("updating-emit-every-ttl", """
job: updating-emit-every-ttl
sources:
  payments: {topic: payments, event_time: value.ts}
operators:
  by_user: {input: payments, key_by: value.user}
  totals:
    input: by_user
    window: {type: global}
    aggregate: {n: count(), total: sum(value.amount)}
    emit: {every: 10s}
    state_ttl: 30s
sinks:
  out: {input: totals, topic: user-totals}
""", [v for _, v in ref.out], inputs=rows)
write_latest("updating-emit-every-ttl", "user-totals", ref.out)
