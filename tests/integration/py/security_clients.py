"""confluent-kafka and kafka-python over SSL / SASL_SSL / SASL_PLAINTEXT against Sluice.

usage: security_clients.py CLIENT BOOTSTRAP PROTOCOL CA MECHANISM USER PASSWORD TOPIC
  CLIENT: confluent | kafka-python;  CA, MECHANISM, USER, PASSWORD: '-' for none.
Produces 5 records to TOPIC and reads them back. Prints one JSON line:
  {"ok": true, "values": [...]}  or  {"ok": false, "type": "<error class/code>", "text": "<message>"}
Exits 0 in both cases (the test asserts on the line); non-zero only on a bug here.
"""
import json
import sys
import time


def arg(v):
    return None if v == '-' else v


def confluent(bootstrap, protocol, ca, mechanism, user, password, topic):
    from confluent_kafka import Consumer, KafkaException, Producer
    conf = {'bootstrap.servers': bootstrap, 'security.protocol': protocol,
            'socket.timeout.ms': 10000, 'message.timeout.ms': 20000}
    if ca:
        conf['ssl.ca.location'] = ca
    if mechanism:
        conf.update({'sasl.mechanism': mechanism, 'sasl.username': user, 'sasl.password': password})
    errors = []
    conf['error_cb'] = lambda e: errors.append(e)
    producer = Producer(conf)
    try:
        producer.list_topics(timeout=15)
    except KafkaException as e:
        # The cause (authentication, TLS) reaches error_cb on the next poll; list_topics
        # itself only says the broker is unreachable.
        for _ in range(10):
            producer.poll(0.5)
            causes = [x for x in errors if x.name() not in ('_TRANSPORT', '_ALL_BROKERS_DOWN')]
            if causes:
                return {'ok': False, 'type': causes[0].name(), 'text': causes[0].str()}
        err = errors[0] if errors else e.args[0]
        return {'ok': False, 'type': err.name(), 'text': err.str()}
    delivered = []
    for i in range(5):
        producer.produce(topic, value=b'v%d' % i, on_delivery=lambda err, msg: delivered.append(err))
    producer.flush(30)
    if len(delivered) != 5 or any(delivered):
        return {'ok': False, 'type': 'delivery', 'text': str(delivered) + str(errors)}
    cconf = dict(conf)
    cconf.pop('message.timeout.ms')
    cconf.update({'group.id': 'g-' + topic, 'auto.offset.reset': 'earliest'})
    consumer = Consumer(cconf)
    consumer.subscribe([topic])
    values = []
    deadline = time.time() + 30
    while len(values) < 5 and time.time() < deadline:
        m = consumer.poll(1.0)
        if m is not None and not m.error():
            values.append(m.value().decode())
    consumer.close()
    return {'ok': True, 'values': values}


def kafka_python(bootstrap, protocol, ca, mechanism, user, password, topic):
    from kafka import KafkaConsumer, KafkaProducer
    from kafka.errors import KafkaError
    conf = {'bootstrap_servers': bootstrap, 'security_protocol': protocol, 'request_timeout_ms': 15000}
    if ca:
        conf['ssl_cafile'] = ca
        conf['ssl_check_hostname'] = True
    if mechanism:
        conf.update({'sasl_mechanism': mechanism, 'sasl_plain_username': user, 'sasl_plain_password': password})
    try:
        producer = KafkaProducer(**conf)
        for i in range(5):
            producer.send(topic, b'v%d' % i).get(timeout=30)
        producer.close()
        consumer = KafkaConsumer(topic, group_id='g-' + topic, auto_offset_reset='earliest',
                                 consumer_timeout_ms=10000, **conf)
        values = []
        for m in consumer:
            values.append(m.value.decode())
            if len(values) == 5:
                break
        consumer.close()
        return {'ok': True, 'values': values}
    except (KafkaError, Exception) as e:  # the test asserts on the class name
        return {'ok': False, 'type': type(e).__name__, 'text': str(e)}


def main():
    client, bootstrap, protocol, ca, mechanism, user, password, topic = sys.argv[1:9]
    run = confluent if client == 'confluent' else kafka_python
    print(json.dumps(run(bootstrap, protocol, arg(ca), arg(mechanism), arg(user), arg(password), topic)))


if __name__ == '__main__':
    main()
