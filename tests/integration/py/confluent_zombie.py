"""A zombie transactional producer: a second producer with the same
transactional.id fences the first and aborts its open transaction. What the
zombie writes afterwards to a partition already in its transaction must be
refused (the abort markers carry the new epoch), and must never become visible
through the new producer's commit.

usage: confluent_zombie.py BOOTSTRAP
"""
import json
import sys
import time

from confluent_kafka import Consumer, KafkaError, KafkaException, Producer

bootstrap = sys.argv[1]
errors = []


def report(err, msg):
    if err is not None and msg.value().decode() not in errors:
        errors.append(msg.value().decode())


zombie = Producer({'bootstrap.servers': bootstrap, 'transactional.id': 'zombie', 'linger.ms': 0})
zombie.init_transactions(30)
zombie.begin_transaction()
zombie.produce('zombie', value=b'zombie-1', partition=0)
zombie.flush(30)

fresh = Producer({'bootstrap.servers': bootstrap, 'transactional.id': 'zombie', 'linger.ms': 0})
fresh.init_transactions(30)  # fences the zombie, aborts zombie-1

zombie.produce('zombie', value=b'zombie-2', partition=0, on_delivery=report)
try:
    zombie.flush(30)
except KafkaException as e:  # librdkafka raises the fatal "fenced" error here
    if e.args[0].code() != KafkaError._FENCED:
        raise
    errors.append('zombie-2')

fresh.begin_transaction()
fresh.produce('zombie', value=b'fresh-1', partition=0)
fresh.commit_transaction(30)

c = Consumer({'bootstrap.servers': bootstrap, 'group.id': 'zombie-reader', 'auto.offset.reset': 'earliest',
              'isolation.level': 'read_committed', 'enable.auto.commit': False})
c.subscribe(['zombie'])
seen, start = [], time.time()
while time.time() - start < 30 and 'fresh-1' not in seen:
    msg = c.poll(0.5)
    if msg is not None and not msg.error():
        seen.append(msg.value().decode())
c.close()
print(json.dumps({'seen': seen, 'zombie_refused': errors}))
