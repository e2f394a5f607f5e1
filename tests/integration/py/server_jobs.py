"""Input and output of the server job tests (run with /usr/bin/python3).

produce-readings BOOTSTRAP FIRST_STEP STEPS: 20 sensors, one reading each per
  event-time second, keyed by sensor (kafka-python); sensors 0-2 read 100, the
  others 50; event time ts = 1700000000000 + step * 1000, also the record timestamp.
produce-logs BOOTSTRAP MINUTES: 30 app-log records per minute for service "a",
  every tenth an error, with record timestamps one per 2 s.
count BOOTSTRAP TOPIC EXPECTED TIMEOUT_S: reads TOPIC from the beginning with a
  read_committed consumer (confluent-kafka, partitions assigned) until EXPECTED
  records arrived (then 1 s more, to see extras) or the timeout; prints
  {"count": n, "distinct": d}.
"""
import json
import sys
import time
import uuid

T0 = 1700000000000


def produce_readings(bootstrap, first, steps):
    from kafka import KafkaProducer
    p = KafkaProducer(bootstrap_servers=bootstrap, key_serializer=str.encode,
                      value_serializer=lambda v: json.dumps(v).encode())
    for step in range(first, first + steps):
        for s in range(20):
            ts = T0 + step * 1000
            p.send("sensor-readings", key="sensor-%d" % s,
                   value={"sensor_id": "sensor-%d" % s, "site": "plant", "temperature": 100 if s < 3 else 50,
                          "ts": ts}, timestamp_ms=ts)
    p.flush()
    p.close()


def produce_logs(bootstrap, minutes):
    from kafka import KafkaProducer
    p = KafkaProducer(bootstrap_servers=bootstrap, value_serializer=lambda v: json.dumps(v).encode())
    for i in range(minutes * 30):
        level = "error" if i % 10 == 0 else "info"
        p.send("app-logs", value={"service": "a", "level": level, "i": i}, timestamp_ms=T0 + i * 2000)
    p.flush()
    p.close()


def count(bootstrap, topic, expected, timeout):
    # Partitions are assigned, not subscribed: no group, so no rebalance moves the read
    # position back when the broker restarts under the consumer.
    from confluent_kafka import Consumer, TopicPartition, OFFSET_BEGINNING
    c = Consumer({"bootstrap.servers": bootstrap, "group.id": "count-" + uuid.uuid4().hex,
                  "auto.offset.reset": "earliest", "isolation.level": "read_committed",
                  "enable.auto.commit": False})
    partitions = c.list_topics(topic, timeout=30).topics[topic].partitions
    c.assign([TopicPartition(topic, p, OFFSET_BEGINNING) for p in partitions])
    values = []
    deadline = time.time() + timeout
    reached_at = None
    while time.time() < deadline:
        m = c.poll(0.2)
        if m is not None and m.error() is None:
            values.append(m.value())
        if len(values) >= expected and reached_at is None:
            reached_at = time.time()
        if reached_at is not None and time.time() - reached_at > 1.0:
            break
    c.close()
    print(json.dumps({"count": len(values), "distinct": len(set(values))}))


def main():
    cmd, bootstrap = sys.argv[1], sys.argv[2]
    if cmd == "produce-readings":
        produce_readings(bootstrap, int(sys.argv[3]), int(sys.argv[4]))
    elif cmd == "produce-logs":
        produce_logs(bootstrap, int(sys.argv[3]))
    elif cmd == "count":
        count(bootstrap, sys.argv[3], int(sys.argv[4]), float(sys.argv[5]))
    else:
        sys.exit("unknown command " + cmd)


if __name__ == "__main__":
    main()
