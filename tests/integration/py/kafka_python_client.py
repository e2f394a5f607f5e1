"""kafka-python 2.0.2 as a user runs it, against a Sluice broker.

usage: kafka_python_client.py BOOTSTRAP produce N | consume GROUP | admin | offsets
Prints one JSON line with what it saw; exits non-zero on any error.
"""
import json
import sys

from kafka import KafkaAdminClient, KafkaConsumer, KafkaProducer, TopicPartition
from kafka.admin import NewTopic
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
    print(json.dumps({'partitions': partitions, 'duplicate_refused': exists, 'groups': groups}))


def offsets(bootstrap):
    consumer = KafkaConsumer(bootstrap_servers=bootstrap)
    tp = TopicPartition('my-topic', 0)
    begin = consumer.beginning_offsets([tp])[tp]
    end = consumer.end_offsets([tp])[tp]
    by_time = consumer.offsets_for_times({tp: 0})[tp]
    print(json.dumps({'begin': begin, 'end': end, 'by_time': by_time.offset if by_time else None}))


if __name__ == '__main__':
    bootstrap, mode = sys.argv[1], sys.argv[2]
    if mode == 'produce':
        produce(bootstrap, int(sys.argv[3]))
    elif mode == 'consume':
        consume(bootstrap, sys.argv[3])
    elif mode == 'admin':
        admin(bootstrap)
    elif mode == 'offsets':
        offsets(bootstrap)
    else:
        sys.exit('unknown mode ' + mode)
