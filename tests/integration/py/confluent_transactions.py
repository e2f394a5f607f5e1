"""Transactions with confluent-kafka: one committed, one aborted, and one that
also commits a consumer group's offsets (send_offsets_to_transaction). Prints
what read_committed and read_uncommitted consumers see.

usage: confluent_transactions.py BOOTSTRAP
"""
import json
import sys

from confluent_kafka import Consumer, Producer, TopicPartition

bootstrap = sys.argv[1]


def read_all(isolation, topic):
    c = Consumer({'bootstrap.servers': bootstrap, 'group.id': 'reader-' + isolation,
                  'auto.offset.reset': 'earliest', 'isolation.level': isolation,
                  'enable.auto.commit': False})
    c.subscribe([topic])
    values, empty = [], 0
    while empty < 8:
        msg = c.poll(1.0)
        if msg is None:
            empty += 1
            continue
        if not msg.error():
            values.append(msg.value().decode())
    c.close()
    return values


# Input for the consume-transform-produce transaction.
plain = Producer({'bootstrap.servers': bootstrap})
for i in range(3):
    plain.produce('tx-in', value=b'in-%d' % i)
plain.flush(30)

p = Producer({'bootstrap.servers': bootstrap, 'transactional.id': 'tx-test', 'acks': 'all'})
p.init_transactions(30)

p.begin_transaction()
p.produce('tx-out', value=b'committed-1')
p.produce('tx-out', value=b'committed-2')
p.commit_transaction(30)

p.begin_transaction()
p.produce('tx-out', value=b'aborted-1')
p.flush(30)
p.abort_transaction(30)

consumer = Consumer({'bootstrap.servers': bootstrap, 'group.id': 'tx-group',
                     'auto.offset.reset': 'earliest', 'enable.auto.commit': False,
                     'isolation.level': 'read_committed'})
consumer.subscribe(['tx-in'])
got = []
while len(got) < 3:
    msg = consumer.poll(10.0)
    if msg is None:
        break
    if not msg.error():
        got.append(msg)
p.begin_transaction()
for msg in got:
    p.produce('tx-out', value=b'from-' + msg.value())
offsets = [TopicPartition('tx-in', 0, got[-1].offset() + 1)]
p.send_offsets_to_transaction(offsets, consumer.consumer_group_metadata(), 30)
p.commit_transaction(30)
committed = consumer.committed([TopicPartition('tx-in', 0)], 10)[0].offset
consumer.close()

print(json.dumps({'read_committed': read_all('read_committed', 'tx-out'),
                  'read_uncommitted': read_all('read_uncommitted', 'tx-out'),
                  'group_offset': committed}))
