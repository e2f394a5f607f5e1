"""Reads every partition of TOPIC from the beginning to its end with
ISOLATION and prints "partition offset value" per record.

usage: bounce_read.py BOOTSTRAP TOPIC PARTITIONS ISOLATION
"""
import sys
import time

from confluent_kafka import OFFSET_BEGINNING, Consumer, TopicPartition

bootstrap, topic, partitions, isolation = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
c = Consumer({'bootstrap.servers': bootstrap, 'group.id': 'bounce-reader', 'enable.auto.commit': False,
              'isolation.level': isolation, 'enable.partition.eof': True})
c.assign([TopicPartition(topic, p, OFFSET_BEGINNING) for p in range(partitions)])
done = set()
deadline = time.time() + 600
while len(done) < partitions and time.time() < deadline:
    for msg in c.consume(1000, 1.0):
        if msg.error():
            if msg.error().code() == -191:  # _PARTITION_EOF
                done.add(msg.partition())
            continue
        sys.stdout.write('%d %d %s\n' % (msg.partition(), msg.offset(), msg.value().decode()))
c.close()
if len(done) < partitions:
    sys.exit('only %d of %d partitions read to the end' % (len(done), partitions))
