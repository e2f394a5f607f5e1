"""kafka-python 2.0.2 pinned to an old protocol, as clients of Kafka 0.9/0.10 talk:
api_version (0, 9) produces with Produce v1 (magic 0 message sets) and fetches
with Fetch v1; (0, 10) uses Produce v2 (magic 1) and Fetch v2.

usage: old_format_client.py BOOTSTRAP produce TOPIC API PREFIX N [gzip]
       old_format_client.py BOOTSTRAP consume TOPIC API N
API is 0.9 or 0.10. Prints one JSON line; exits non-zero on any error.
"""
import json
import sys
import time

from kafka import KafkaConsumer, KafkaProducer, TopicPartition


def version(api):
    return tuple(int(x) for x in api.split('.'))


def produce(bootstrap, topic, api, prefix, n, codec):
    producer = KafkaProducer(bootstrap_servers=bootstrap, api_version=version(api), acks='all',
                             compression_type=codec, linger_ms=20)
    futures = [producer.send(topic, key=b'k%d' % i, value=('%s-%d' % (prefix, i)).encode(), partition=0)
               for i in range(n)]
    offsets = [f.get(timeout=30).offset for f in futures]
    producer.close()
    print(json.dumps({'sent': n, 'first': offsets[0], 'last': offsets[-1]}))


def consume(bootstrap, topic, api, n):
    consumer = KafkaConsumer(bootstrap_servers=bootstrap, api_version=version(api), group_id=None,
                             enable_auto_commit=False, auto_offset_reset='earliest')
    tp = TopicPartition(topic, 0)
    consumer.assign([tp])
    consumer.seek_to_beginning(tp)
    seen = []
    deadline = time.time() + 30
    while len(seen) < n and time.time() < deadline:
        for records in consumer.poll(timeout_ms=500).values():
            for r in records:
                seen.append({'offset': r.offset, 'key': r.key.decode() if r.key else None, 'value': r.value.decode(),
                             'timestamp': r.timestamp})
    consumer.close()
    offsets = [s['offset'] for s in seen]
    print(json.dumps({'count': len(seen), 'in_order': offsets == list(range(len(seen))),
                      'values': [s['value'] for s in seen],
                      'keys_ok': all(s['key'] is None or s['key'].startswith('k') for s in seen),
                      'timestamps': 'none' if all(s['timestamp'] in (None, -1) for s in seen) else 'set'}))


def main():
    bootstrap, mode = sys.argv[1], sys.argv[2]
    if mode == 'produce':
        codec = sys.argv[7] if len(sys.argv) > 7 else None
        produce(bootstrap, sys.argv[3], sys.argv[4], sys.argv[5], int(sys.argv[6]), codec)
    elif mode == 'consume':
        consume(bootstrap, sys.argv[3], sys.argv[4], int(sys.argv[5]))
    else:
        sys.exit('unknown mode ' + mode)


if __name__ == '__main__':
    main()
