"""The consumer-group member of the broker hard-bounce soak: reads TOPIC in
GROUP with ISOLATION, writes every record it sees to OUTFILE as
"partition offset value", and commits its positions every 300 ms, riding over
broker restarts, until STOPFILE exists.

usage: bounce_consumer.py BOOTSTRAP TOPIC GROUP ISOLATION OUTFILE STOPFILE
"""
import os
import sys
import time

from confluent_kafka import Consumer, KafkaException

bootstrap, topic, group, isolation, outfile, stopfile = sys.argv[1:7]
out = open(outfile, 'a', buffering=1)
c = Consumer({'bootstrap.servers': bootstrap, 'group.id': group, 'auto.offset.reset': 'earliest',
              'enable.auto.commit': False, 'isolation.level': isolation, 'session.timeout.ms': 10000,
              'reconnect.backoff.ms': 50, 'reconnect.backoff.max.ms': 500, 'fetch.wait.max.ms': 100})
c.subscribe([topic])
last_commit = time.time()
seen = 0
while not os.path.exists(stopfile):
    msg = c.poll(0.1)
    if msg is not None and not msg.error():
        out.write('%d %d %s\n' % (msg.partition(), msg.offset(), msg.value().decode()))
        seen += 1
    if time.time() - last_commit > 0.3:
        last_commit = time.time()
        try:
            c.commit(asynchronous=False)
        except KafkaException:
            pass  # nothing to commit, or the broker is restarting
c.close()
sys.stderr.write('consumer: %d records seen\n' % seen)
