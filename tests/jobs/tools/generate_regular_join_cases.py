# Generates the golden case join-regular under tests/jobs/ (run: /usr/bin/python3
# tests/jobs/tools/generate_regular_join_cases.py). Expected outputs are
# computed here in plain Python from the rule in docs/jobs.md ("Regular join"),
# independently of the runtime:
#   a join without `within` pairs every left record with every right record of
#   the same key, whatever their event times; each pair is output once, as
#   {left, right, left_time, right_time}; no record is late.
# The two topics interleave in no fixed order, so the expected lines are
# compared sorted (the set of pairs does not depend on the order).
import random
from case_writer import write
T = 1699999980000
HOUR = 3600 * 1000

rng = random.Random(1817)

# Orders o0..o11 on 2 partitions, shipments on 2 partitions. Some orders ship
# in several parts, hours or days later; some shipments carry an earlier time
# than their order (a back-dated record); o9..o11 never ship, and shipments of
# x0, x1 match no order. Each partition holds records out of event-time order
# too (an interval join would drop the late ones; a regular join keeps all).
orders, shipments = [], []
for n in range(12):
    oid = "o%d" % n
    orders.append((oid, T + rng.randrange(0, 48) * HOUR, {"order": oid, "amount": rng.randrange(5, 500)}))
for n in range(9):
    oid = "o%d" % n
    for part in range(1 + rng.randrange(3)):
        t = orders[n][1] + rng.choice([-2, 1, 5, 30, 70]) * HOUR + part * 1000
        shipments.append((oid, t, {"order": oid, "part": part, "carrier": rng.choice(["dhl", "ups", "post"])}))
for x in ("x0", "x1"):
    shipments.append((x, T + 5 * HOUR, {"order": x, "part": 0, "carrier": "dhl"}))
rng.shuffle(orders)
rng.shuffle(shipments)

records = []
for topic, rows in (("orders", orders), ("shipments", shipments)):
    for key, t, value in rows:
        records.append({"topic": topic, "partition": int(key[1:]) % 2, "key": key, "timestamp": t, "value": value})

expected = []
for okey, ot, ov in orders:
    for skey, st, sv in shipments:
        if okey == skey:
            expected.append({"order": okey, "amount": ov["amount"], "part": sv["part"], "carrier": sv["carrier"],
                             "ordered": ot, "shipped": st})
assert len(expected) > 12 and any(e["shipped"] < e["ordered"] for e in expected)

write("join-regular", """
job: join-regular
sources:
  orders: {topic: orders}
  shipments: {topic: shipments}
operators:
  orders_by_id: {input: orders, key_by: value.order}
  shipments_by_id: {input: shipments, key_by: value.order}
  shipped:
    input: [orders_by_id, shipments_by_id]
    join: {left: orders_by_id, right: shipments_by_id}   # no within: a regular join
    state_ttl: 30d
  shaped:
    input: shipped
    map: {order: key, amount: value.left.amount, part: value.right.part, carrier: value.right.carrier, ordered: value.left_time, shipped: value.right_time}
sinks:
  out: {input: shaped, topic: shipped-orders}
""", expected, records=records, partitions={"orders": 2, "shipments": 2})
