"""A producer for the broker hard-bounce soak: writes numbered values
"ID:N" round-robin to the partitions of TOPIC until STOPFILE exists, riding
over broker restarts, and records in OUTFILE what the broker acknowledged.

Idempotent mode (acks=all, enable.idempotence): one line per successful
delivery report, "partition offset value".
Transactional mode: each transaction of 3-12 records is committed or aborted;
lines are "C txn partition offset value" for committed records, "A txn value"
for aborted ones and "U txn value" when the outcome is unknown (fatal error).

usage: bounce_producer.py BOOTSTRAP TOPIC PARTITIONS ID OUTFILE STOPFILE idempotent|transactional
"""
import os
import random
import sys
import time

from confluent_kafka import KafkaException, Producer

bootstrap, topic, partitions, pid, outfile, stopfile, mode = sys.argv[1:8]
partitions = int(partitions)
out = open(outfile, 'a', buffering=1)
common = {'bootstrap.servers': bootstrap, 'acks': 'all', 'linger.ms': 5,
          'reconnect.backoff.ms': 50, 'reconnect.backoff.max.ms': 500,
          'socket.connection.setup.timeout.ms': 5000, 'retry.backoff.ms': 50}


def stopped():
    return os.path.exists(stopfile)


def idempotent():
    p = Producer(dict(common, **{'enable.idempotence': True, 'message.timeout.ms': 600000}))

    def delivered(err, msg):
        if err is None:
            out.write('%d %d %s\n' % (msg.partition(), msg.offset(), msg.value().decode()))
        else:
            sys.stderr.write('delivery failed: %s\n' % err)

    n = 0
    while not stopped():
        try:
            p.produce(topic, value=('%s:%d' % (pid, n)).encode(), partition=n % partitions, on_delivery=delivered)
            n += 1
        except BufferError:
            p.poll(0.1)
        p.poll(0.015)
    left = p.flush(300)
    sys.stderr.write('producer %s: %d produced, %d undelivered at exit\n' % (pid, n, left))


def new_txn_producer():
    while True:
        p = Producer(dict(common, **{'transactional.id': 'bounce-' + pid, 'transaction.timeout.ms': 60000,
                                     'message.timeout.ms': 60000}))
        try:
            p.init_transactions(60)
            return p
        except KafkaException as e:
            sys.stderr.write('init_transactions: %s\n' % e)
            time.sleep(0.2)


def retry(call):
    """Runs call() until it succeeds (True) or fails for good (the KafkaError)."""
    while True:
        try:
            call()
            return None
        except KafkaException as e:
            err = e.args[0]
            if err.retriable() and not stopped_hard():
                time.sleep(0.1)
                continue
            return err


deadline = [None]


def stopped_hard():
    return deadline[0] is not None and time.time() > deadline[0]


def retire(p):
    """Drops a failed producer's queued and in-flight messages and destroys it
    before its successor starts. Dropping it while a new instance with the same
    transactional.id already ran, with messages still in flight, once ended the
    client in glibc's "unaligned tcache chunk detected" abort inside librdkafka
    2.0.2's thread shutdown (bounce soak, loaded machine). Their outcome is "U"
    either way."""
    try:
        p.purge(in_queue=True, in_flight=True, blocking=True)
        p.flush(10)
    except KafkaException as e:
        sys.stderr.write('retire: %s\n' % e)


def transactional():
    p = new_txn_producer()
    n = 0
    t = 0
    while not stopped():
        txn = '%s-%d' % (pid, t)
        t += 1
        records = []
        delivered = {}

        def on_delivery(err, msg):
            if err is None:
                delivered[msg.value().decode()] = (msg.partition(), msg.offset())

        try:
            p.begin_transaction()
            for _ in range(random.randint(3, 12)):
                value = '%s:%d' % (pid, n)
                p.produce(topic, value=value.encode(), partition=n % partitions, on_delivery=on_delivery)
                n += 1
                records.append(value)
                p.poll(0.002)
        except KafkaException as e:
            sys.stderr.write('produce: %s\n' % e)
        except BufferError:
            pass
        abort = random.random() < 0.2
        err = retry(lambda: p.abort_transaction(60)) if abort else retry(lambda: p.commit_transaction(60))
        if err is None:
            for v in records:
                if abort:
                    out.write('A %s %s\n' % (txn, v))
                else:
                    part, off = delivered[v]
                    out.write('C %s %d %d %s\n' % (txn, part, off, v))
            continue
        if err.txn_requires_abort() and not err.fatal():
            err = retry(lambda: p.abort_transaction(60))
            if err is None:
                for v in records:
                    out.write('A %s %s\n' % (txn, v))
                continue
        sys.stderr.write('transaction %s: %s; starting a new producer\n' % (txn, err))
        for v in records:
            out.write('U %s %s\n' % (txn, v))
        retire(p)
        p = None  # the last reference: the instance is destroyed here, before its successor starts
        p = new_txn_producer()
    sys.stderr.write('producer %s: %d transactions\n' % (pid, t))


if mode == 'idempotent':
    idempotent()
else:
    transactional()
