"""kafka-python and confluent-kafka consume under small fetch limits (zero-copy Fetch).

usage: fetch_limits.py BOOTSTRAP
Topic 'limits-py' (3 partitions, 128 KiB segments) gets small records and records
larger than the partition limit; each client reads everything back with tiny
max_partition_fetch_bytes / fetch_max_bytes and checks every value, per
partition, in order. Prints one JSON line; exits non-zero on any error.
"""
import json
import sys
import time

from confluent_kafka import Consumer, KafkaError, TopicPartition as CkTopicPartition
from kafka import KafkaAdminClient, KafkaConsumer, KafkaProducer, TopicPartition
from kafka.admin import NewTopic

TOPIC = 'limits-py'
PARTITIONS = 3


def value(p, i):
    # Every 50th record is 40 KB: larger than the partition limits used below.
    size = 40000 if i % 50 == 0 else 20 + (i * 37) % 200
    head = b'%d-%d:' % (p, i)
    return head + b'v' * max(0, size - len(head))


def produce(bootstrap, count):
    KafkaAdminClient(bootstrap_servers=bootstrap).create_topics(
        [NewTopic(TOPIC, num_partitions=PARTITIONS, replication_factor=1,
                  topic_configs={'segment.bytes': '131072'})])
    producer = KafkaProducer(bootstrap_servers=bootstrap, linger_ms=20, batch_size=65536,
                             max_request_size=2000000)
    for i in range(count):
        for p in range(PARTITIONS):
            producer.send(TOPIC, value=value(p, i), partition=p)
    producer.flush()
    producer.close()


def check(name, got, count):
    for p in range(PARTITIONS):
        want = [value(p, i) for i in range(count)]
        if got[p] != want:
            first_bad = next((i for i, (a, b) in enumerate(zip(got[p], want)) if a != b), min(len(got[p]), len(want)))
            raise SystemExit('%s: partition %d: %d records, first difference at %d' % (name, p, len(got[p]), first_bad))


def kafka_python(bootstrap, count):
    consumer = KafkaConsumer(bootstrap_servers=bootstrap, max_partition_fetch_bytes=1024, fetch_max_bytes=4096,
                             consumer_timeout_ms=20000)
    tps = [TopicPartition(TOPIC, p) for p in range(PARTITIONS)]
    consumer.assign(tps)
    consumer.seek_to_beginning()
    got = {p: [] for p in range(PARTITIONS)}
    deadline = time.time() + 240
    while sum(len(v) for v in got.values()) < count * PARTITIONS and time.time() < deadline:
        for tp, msgs in consumer.poll(timeout_ms=1000).items():
            got[tp.partition].extend(m.value for m in msgs)
    consumer.close()
    check('kafka-python', got, count)


def confluent(bootstrap, count):
    consumer = Consumer({'bootstrap.servers': bootstrap, 'group.id': 'fetch-limits', 'enable.auto.commit': False,
                         'fetch.max.bytes': 1000, 'message.max.bytes': 1000, 'max.partition.fetch.bytes': 1000,
                         'enable.partition.eof': True})
    consumer.assign([CkTopicPartition(TOPIC, p, 0) for p in range(PARTITIONS)])
    got = {p: [] for p in range(PARTITIONS)}
    eof = set()
    deadline = time.time() + 240
    while len(eof) < PARTITIONS and time.time() < deadline:
        m = consumer.poll(1.0)
        if m is None:
            continue
        if m.error():
            if m.error().code() == KafkaError._PARTITION_EOF:
                eof.add(m.partition())
                continue
            raise SystemExit('confluent-kafka: %s' % m.error())
        got[m.partition()].append(m.value())
    consumer.close()
    check('confluent-kafka', got, count)


def main():
    bootstrap = sys.argv[1]
    count = 1500
    produce(bootstrap, count)
    kafka_python(bootstrap, count)
    confluent(bootstrap, count)
    print(json.dumps({'ok': True, 'records': count * PARTITIONS}))


if __name__ == '__main__':
    main()
