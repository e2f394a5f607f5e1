"""A transactional producer that dies with its transaction open. The
coordinator aborts it when transaction.timeout.ms passes; until then
read_committed readers must not see anything after its first record.

usage: confluent_abandoned.py BOOTSTRAP
"""
import json
import os
import sys
import time

from confluent_kafka import Consumer, Producer

bootstrap = sys.argv[1]
if len(sys.argv) > 2 and sys.argv[2] == 'die':
    p = Producer({'bootstrap.servers': bootstrap, 'transactional.id': 'abandoned',
                  'transaction.timeout.ms': 3000})
    p.init_transactions(30)
    p.begin_transaction()
    p.produce('abandon', value=b'open-1')
    p.flush(30)
    os._exit(0)  # no commit, no abort: the coordinator must clean up

plain = Producer({'bootstrap.servers': bootstrap})
plain.produce('abandon', value=b'after')
plain.flush(30)
c = Consumer({'bootstrap.servers': bootstrap, 'group.id': 'abandon-reader', 'auto.offset.reset': 'earliest',
              'isolation.level': 'read_committed', 'enable.auto.commit': False})
c.subscribe(['abandon'])
seen, start = [], time.time()
while time.time() - start < 30 and 'after' not in seen:
    msg = c.poll(0.5)
    if msg is not None and not msg.error():
        seen.append(msg.value().decode())
c.close()
print(json.dumps({'seen': seen}))
