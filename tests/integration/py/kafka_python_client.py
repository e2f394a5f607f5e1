"""kafka-python 2.0.2 as a user runs it, against a Sluice broker.

usage: kafka_python_client.py BOOTSTRAP produce N | consume GROUP | admin | offsets | rebalance
Prints one JSON line with what it saw; exits non-zero on any error.
"""
import json
import sys
import threading
import time

from kafka import KafkaAdminClient, KafkaConsumer, KafkaProducer, TopicPartition
from kafka.admin import ConfigResource, ConfigResourceType, NewTopic
from kafka.errors import TopicAlreadyExistsError


def produce(bootstrap, n):
    # The tutorial example, unchanged but for the address.
    producer = KafkaProducer(bootstrap_servers=bootstrap)
    for i in range(n):
        producer.send('my-topic', b'message-%d' % i)
    producer.flush()
    # acks=all, gzip, a key and a header; .get() waits for the broker's answer.
    durable = KafkaProducer(bootstrap_servers=bootstrap, acks='all', compression_type='gzip')
    meta = durable.send('my-topic', key=b'k', value=b'keyed', headers=[('h', b'v')]).get(timeout=30)
    print(json.dumps({'sent': n + 1, 'last_offset': meta.offset}))


def consume(bootstrap, group):
    consumer = KafkaConsumer('my-topic', group_id=group, bootstrap_servers=bootstrap,
                             auto_offset_reset='earliest', enable_auto_commit=False,
                             consumer_timeout_ms=8000)
    values, keyed = [], None
    for msg in consumer:
        values.append(msg.value.decode())
        if msg.key == b'k':
            keyed = {'key': msg.key.decode(), 'headers': [[k, v.decode()] for k, v in msg.headers]}
    consumer.commit()
    consumer.close()
    print(json.dumps({'count': len(values), 'first': values[:1], 'keyed': keyed}))


def admin(bootstrap):
    client = KafkaAdminClient(bootstrap_servers=bootstrap)
    client.create_topics([NewTopic('admin-topic', num_partitions=3, replication_factor=1)])
    exists = False
    try:
        client.create_topics([NewTopic('admin-topic', num_partitions=3, replication_factor=1)])
    except TopicAlreadyExistsError:
        exists = True
    consumer = KafkaConsumer(bootstrap_servers=bootstrap)
    partitions = sorted(consumer.partitions_for_topic('admin-topic'))
    groups = sorted(g[0] for g in client.list_consumer_groups())
    client.alter_configs([ConfigResource(ConfigResourceType.TOPIC, 'admin-topic',
                                         configs={'retention.ms': '3600000'})])
    described = client.describe_configs([ConfigResource(ConfigResourceType.TOPIC, 'admin-topic')])
    entries = described[0].resources[0][4]
    retention = [e[1] for e in entries if e[0] == 'retention.ms']
    print(json.dumps({'partitions': partitions, 'duplicate_refused': exists, 'groups': groups,
                      'retention_ms': retention}))


def offsets(bootstrap):
    consumer = KafkaConsumer(bootstrap_servers=bootstrap)
    tp = TopicPartition('my-topic', 0)
    begin = consumer.beginning_offsets([tp])[tp]
    end = consumer.end_offsets([tp])[tp]
    by_time = consumer.offsets_for_times({tp: 0})[tp]
    print(json.dumps({'begin': begin, 'end': end, 'by_time': by_time.offset if by_time else None}))


def rebalance(bootstrap):
    """A second consumer in the group makes the first give up half of the partitions."""
    KafkaAdminClient(bootstrap_servers=bootstrap).create_topics(
        [NewTopic('split', num_partitions=4, replication_factor=1)])
    consumers, stop = [], threading.Event()

    def run(consumer):
        while not stop.is_set():
            consumer.poll(timeout_ms=100)

    def start():
        c = KafkaConsumer('split', group_id='split-group', bootstrap_servers=bootstrap,
                          auto_offset_reset='earliest', session_timeout_ms=10000,
                          heartbeat_interval_ms=500)
        consumers.append(c)
        t = threading.Thread(target=run, args=(c,), daemon=True)
        t.start()
        return t

    def assigned(c):
        return sorted(p.partition for p in c.assignment())

    threads = [start()]
    deadline = time.time() + 60
    while len(assigned(consumers[0])) != 4 and time.time() < deadline:
        time.sleep(0.1)
    first = assigned(consumers[0])
    threads.append(start())
    a, b = [], []
    while time.time() < deadline:
        a, b = assigned(consumers[0]), assigned(consumers[1])
        if a and b and not set(a) & set(b) and len(a) + len(b) == 4:
            break
        time.sleep(0.1)
    stop.set()
    for t in threads:
        t.join()
    for c in consumers:
        c.close()
    print(json.dumps({'first': first, 'a': len(a), 'b': len(b), 'union': sorted(set(a) | set(b))}))


if __name__ == '__main__':
    bootstrap, mode = sys.argv[1], sys.argv[2]
    if mode == 'produce':
        produce(bootstrap, int(sys.argv[3]))
    elif mode == 'consume':
        consume(bootstrap, sys.argv[3])
    elif mode == 'admin':
        admin(bootstrap)
    elif mode == 'rebalance':
        rebalance(bootstrap)
    elif mode == 'offsets':
        offsets(bootstrap)
    else:
        sys.exit('unknown mode ' + mode)
