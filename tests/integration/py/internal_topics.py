"""Internal topics (`__consumer_offsets`, `__transaction_state`) are protected.

usage: internal_topics.py BOOTSTRAP attack|committed
  attack     commits offset 3 for group g on topic t, then tries to delete both
             internal topics, produce into __consumer_offsets and add partitions
             to it; prints the error name of each attempt (JSON).
  committed  prints group g's committed offset of t[0] (after a restart).
"""
import json
import sys

from confluent_kafka import Consumer, KafkaException, Producer, TopicPartition
from confluent_kafka.admin import AdminClient, NewPartitions


def error_name(future):
    try:
        future.result(15)
        return None
    except KafkaException as e:
        return e.args[0].name()


def attack(bootstrap):
    p = Producer({"bootstrap.servers": bootstrap})
    for i in range(3):
        p.produce("t", b"m%d" % i)
    p.flush(15)
    c = Consumer({"bootstrap.servers": bootstrap, "group.id": "g", "enable.auto.commit": False})
    c.commit(offsets=[TopicPartition("t", 0, 3)], asynchronous=False)
    c.close()
    admin = AdminClient({"bootstrap.servers": bootstrap})
    out = {}
    fs = admin.delete_topics(["__consumer_offsets", "__transaction_state"], operation_timeout=10)
    for topic, f in fs.items():
        out["delete " + topic] = error_name(f)
    out["create_partitions"] = error_name(
        admin.create_partitions([NewPartitions("__consumer_offsets", 4)])["__consumer_offsets"])
    result = {}
    p2 = Producer({"bootstrap.servers": bootstrap, "message.timeout.ms": 8000})
    p2.produce("__consumer_offsets", b"garbage", key=b"garbage",
               on_delivery=lambda err, msg: result.setdefault("err", err))
    p2.flush(20)
    err = result.get("err")
    out["produce"] = err.name() if err is not None else None
    print(json.dumps(out, sort_keys=True))


def committed(bootstrap):
    c = Consumer({"bootstrap.servers": bootstrap, "group.id": "g"})
    tp = c.committed([TopicPartition("t", 0)], timeout=15)[0]
    c.close()
    print(json.dumps({"committed": tp.offset}))


if __name__ == "__main__":
    {"attack": attack, "committed": committed}[sys.argv[2]](sys.argv[1])
