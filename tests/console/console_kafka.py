"""Kafka helpers of the console browser test (kafka-python; run with /usr/bin/python3).

console_kafka.py BOOTSTRAP produce TOPIC PARTITION COUNT   records {"amount": i*10} with a header, keys k<i>
console_kafka.py BOOTSTRAP produce-slowly TOPIC SECONDS     20 records a second to partition 0
console_kafka.py BOOTSTRAP commit TOPIC GROUP PARTITION OFFSET
console_kafka.py BOOTSTRAP member TOPIC GROUP SECONDS       a subscribed group member, polling for SECONDS
"""
import json
import sys
import time

from kafka import KafkaConsumer, KafkaProducer, TopicPartition
from kafka.structs import OffsetAndMetadata

bootstrap, command = sys.argv[1], sys.argv[2]
if command in ("produce", "produce-slowly"):
    producer = KafkaProducer(bootstrap_servers=bootstrap)
    topic = sys.argv[3]
    if command == "produce":
        partition, count = int(sys.argv[4]), int(sys.argv[5])
        for i in range(count):
            producer.send(topic, key=b"k%d" % i, value=json.dumps({"amount": i * 10, "n": i}).encode(),
                          partition=partition, headers=[("trace", b"t%d" % i)])
    else:
        end = time.time() + float(sys.argv[4])
        i = 0
        while time.time() < end:
            producer.send(topic, key=b"s%d" % i, value=json.dumps({"amount": 100 + i}).encode(), partition=0)
            producer.flush()
            i += 1
            time.sleep(0.05)
    producer.flush()
    producer.close()
elif command == "commit":
    topic, group, partition, offset = sys.argv[3], sys.argv[4], int(sys.argv[5]), int(sys.argv[6])
    consumer = KafkaConsumer(bootstrap_servers=bootstrap, group_id=group, enable_auto_commit=False)
    tp = TopicPartition(topic, partition)
    consumer.assign([tp])
    consumer.commit({tp: OffsetAndMetadata(offset, None)})
    consumer.close()
elif command == "member":
    topic, group, seconds = sys.argv[3], sys.argv[4], float(sys.argv[5])
    consumer = KafkaConsumer(topic, bootstrap_servers=bootstrap, group_id=group, client_id="console-member",
                             enable_auto_commit=False, auto_offset_reset="latest")
    end = time.time() + seconds
    while time.time() < end:
        consumer.poll(timeout_ms=200)
    consumer.close()
else:
    sys.exit("unknown command " + command)
