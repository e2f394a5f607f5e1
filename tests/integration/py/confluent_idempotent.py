"""confluent-kafka (librdkafka) idempotent producer and a group consumer.

usage: confluent_idempotent.py BOOTSTRAP N
"""
import json
import sys

from confluent_kafka import Consumer, Producer

bootstrap, n = sys.argv[1], int(sys.argv[2])
errors = []
producer = Producer({'bootstrap.servers': bootstrap, 'enable.idempotence': True, 'linger.ms': 5})
for i in range(n):
    producer.produce('idem', value=b'%d' % i, key=b'k%d' % (i % 7),
                     on_delivery=lambda err, msg: errors.append(str(err)) if err else None)
    producer.poll(0)
remaining = producer.flush(60)

consumer = Consumer({'bootstrap.servers': bootstrap, 'group.id': 'idem-group',
                     'auto.offset.reset': 'earliest', 'enable.auto.commit': False})
consumer.subscribe(['idem'])
seen = []
empty_polls = 0
while len(seen) < n and empty_polls < 30:
    msg = consumer.poll(1.0)
    if msg is None:
        empty_polls += 1
        continue
    if msg.error():
        errors.append(str(msg.error()))
        continue
    seen.append(int(msg.value()))
consumer.commit(asynchronous=False)
consumer.close()
print(json.dumps({'errors': errors, 'unsent': remaining, 'count': len(seen),
                  'distinct': len(set(seen)), 'in_order': seen == sorted(seen)}))
