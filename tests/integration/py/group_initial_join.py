"""Starts N confluent-kafka consumers of one group at the same moment (a
barrier, so they subscribe within milliseconds of each other) and prints, as
JSON, the partitions of each consumer's first assignment.

usage: group_initial_join.py BOOTSTRAP TOPIC GROUP N
"""
import json
import sys
import threading
import time

from confluent_kafka import Consumer

bootstrap, topic, group, n = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
first = {}
lock = threading.Lock()
barrier = threading.Barrier(n)


def run(i):
    c = Consumer({'bootstrap.servers': bootstrap, 'group.id': group, 'auto.offset.reset': 'earliest',
                  'enable.auto.commit': False, 'session.timeout.ms': 10000,
                  'partition.assignment.strategy': 'range'})

    def on_assign(consumer, partitions):
        with lock:
            first.setdefault(i, sorted(p.partition for p in partitions))

    barrier.wait()
    c.subscribe([topic], on_assign=on_assign)
    deadline = time.time() + 60
    while time.time() < deadline:
        with lock:
            if len(first) == n:
                break
        c.poll(0.1)
    # Keep polling briefly so that every member completes its sync before anyone leaves.
    end = time.time() + 1
    while time.time() < end:
        c.poll(0.1)
    barrier.wait()
    c.close()


threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
for t in threads:
    t.start()
for t in threads:
    t.join()
print(json.dumps({str(k): v for k, v in sorted(first.items())}))
