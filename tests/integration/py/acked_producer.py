"""Produces numbered records with acks=all for up to SECONDS and prints each
value the broker acknowledged, one per line (flushed), so that a test can kill
the broker mid-stream and check that every acknowledged record survived.

usage: acked_producer.py BOOTSTRAP TOPIC SECONDS
"""
import sys
import time

from confluent_kafka import Producer

bootstrap, topic, seconds = sys.argv[1], sys.argv[2], float(sys.argv[3])
producer = Producer({'bootstrap.servers': bootstrap, 'acks': 'all', 'linger.ms': 2,
                     'message.timeout.ms': 5000, 'enable.idempotence': True})


def delivered(err, msg):
    if err is None:
        sys.stdout.write(msg.value().decode() + '\n')
        sys.stdout.flush()


deadline = time.time() + seconds
i = 0
while time.time() < deadline:
    try:
        producer.produce(topic, value=str(i).encode(), on_delivery=delivered)
        i += 1
    except BufferError:
        pass
    producer.poll(0.001 if i % 100 == 0 else 0)
producer.flush(10)
