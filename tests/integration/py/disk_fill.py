"""Clients of the disk-full test (run with /usr/bin/python3, confluent-kafka).

produce BOOTSTRAP TOPIC PREFIX COUNT SIZE: acks=all producer of COUNT records
  keyed PREFIX-<i> with SIZE-byte values, at most 100 in flight; stops early
  after 40 failures in a row.
  Prints one line per delivery report: "ok KEY" or "err KEY ERROR_NAME".
keys BOOTSTRAP TOPIC: every key of TOPIC (all partitions, from the beginning to
  the end), one per line.
delete BOOTSTRAP TOPIC: deletes TOPIC; prints "deleted" or the error.
"""
import sys


def produce(bootstrap, topic, prefix, count, size):
    from confluent_kafka import Producer
    p = Producer({"bootstrap.servers": bootstrap, "acks": "all", "linger.ms": 5,
                  "message.timeout.ms": 10000, "retry.backoff.ms": 200,
                  "batch.size": 262144})
    state = {"failures_in_a_row": 0}

    def report(err, msg):
        key = msg.key().decode()
        if err is None:
            state["failures_in_a_row"] = 0
            print("ok", key, flush=True)
        else:
            state["failures_in_a_row"] += 1
            print("err", key, err.name(), flush=True)

    value = b"x" * size
    for i in range(count):
        if state["failures_in_a_row"] >= 40:
            break
        while True:
            try:
                p.produce(topic, key=("%s-%d" % (prefix, i)).encode(), value=value, on_delivery=report)
                break
            except BufferError:
                p.poll(0.1)
        p.poll(0)
        while len(p) > 100:  # at most ~1 MB in flight: a timeout means the broker refused
            p.poll(0.05)
    p.flush(60)


def keys(bootstrap, topic):
    from confluent_kafka import Consumer, TopicPartition, OFFSET_BEGINNING
    c = Consumer({"bootstrap.servers": bootstrap, "group.id": "disk-fill-reader", "enable.auto.commit": False,
                  "enable.partition.eof": True, "fetch.message.max.bytes": 1048576})
    meta = c.list_topics(topic, timeout=30)
    parts = sorted(meta.topics[topic].partitions.keys())
    c.assign([TopicPartition(topic, p, OFFSET_BEGINNING) for p in parts])
    done = set()
    while len(done) < len(parts):
        msg = c.poll(30)
        if msg is None:
            sys.exit("timed out reading " + topic)
        if msg.error():
            if msg.error().code() == -191:  # _PARTITION_EOF
                done.add(msg.partition())
                continue
            sys.exit("read error: " + str(msg.error()))
        print(msg.key().decode())
    c.close()


def delete(bootstrap, topic):
    from confluent_kafka.admin import AdminClient
    a = AdminClient({"bootstrap.servers": bootstrap})
    try:
        a.delete_topics([topic], operation_timeout=30)[topic].result(60)
        print("deleted")
    except Exception as e:  # reported to the test
        print("error", e)


def main():
    cmd = sys.argv[1]
    if cmd == "produce":
        produce(sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5]), int(sys.argv[6]))
    elif cmd == "keys":
        keys(sys.argv[2], sys.argv[3])
    elif cmd == "delete":
        delete(sys.argv[2], sys.argv[3])
    else:
        sys.exit("unknown command " + cmd)


if __name__ == "__main__":
    main()
