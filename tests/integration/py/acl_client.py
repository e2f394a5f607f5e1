"""ACL acceptance steps with real clients against `sluice serve --authorizer acl`.

usage: acl_client.py BOOTSTRAP STEP --principal P [-X key=value ...]

The restricted principal P (User:ANONYMOUS on PLAINTEXT; a SASL user when the
client properties authenticate) must already hold ALTER and DESCRIBE on the
cluster so that it can manage ACLs. Steps:
  grant    before any grant, producing to `a` fails; then kafka-python's
           KafkaAdminClient.create_acls grants WRITE+READ on topic a and READ
           on group g, and the same produce now succeeds (no restart).
  enforce  what the grant allows works (produce a, consume a in group g and
           commit); producing to b, consuming a in group h and creating a
           topic each fail with Kafka's error code; metadata hides b.
  revoke   delete_acls removes WRITE on a; producing to a fails again.
Prints one JSON line of observations; exits 1 with a message when a step fails.
"""
import argparse
import json
import sys
import time

from confluent_kafka import Consumer, KafkaError, KafkaException, Producer
from confluent_kafka.admin import AdminClient, NewTopic
from kafka.admin import (ACL, ACLFilter, ACLOperation, ACLPermissionType, ACLResourcePatternType, KafkaAdminClient,
                         ResourcePattern, ResourcePatternFilter, ResourceType)


def conf(args, **extra):
    c = {"bootstrap.servers": args.bootstrap}
    for kv in args.X:
        k, v = kv.split("=", 1)
        c[k] = v
    c.update(extra)
    return c


def kp_admin(args):
    # kafka-python takes its own option names; map the few that matter for SASL.
    kw = {"bootstrap_servers": args.bootstrap, "client_id": "acl-test"}
    props = dict(kv.split("=", 1) for kv in args.X)
    if "security.protocol" in props:
        kw["security_protocol"] = props["security.protocol"]
    if "sasl.mechanism" in props:
        kw["sasl_mechanism"] = props["sasl.mechanism"]
    if "sasl.username" in props:
        kw["sasl_plain_username"] = props["sasl.username"]
        kw["sasl_plain_password"] = props.get("sasl.password", "")
    if "ssl.ca.location" in props:
        kw["ssl_cafile"] = props["ssl.ca.location"]
    return KafkaAdminClient(**kw)


def produce(args, topic, value=b"v"):
    """Returns None on success or the delivery error's name."""
    result = {}

    def on_delivery(err, msg):
        result["err"] = err

    p = Producer(conf(args, **{"message.timeout.ms": 8000}))
    p.produce(topic, value, on_delivery=on_delivery)
    p.flush(20)
    err = result.get("err", "no delivery report")
    if err is None:
        return None
    return err.name() if isinstance(err, KafkaError) else str(err)


def consume(args, topic, group):
    """Returns (values, error name or None)."""
    c = Consumer(conf(args, **{"group.id": group, "auto.offset.reset": "earliest", "enable.auto.commit": False}))
    c.subscribe([topic])
    values, error = [], None
    deadline = time.time() + 20
    while time.time() < deadline and not values and error is None:
        m = c.poll(0.5)
        if m is None:
            continue
        if m.error():
            if m.error().code() != KafkaError._PARTITION_EOF:
                error = m.error().name()
            continue
        values.append(m.value().decode())
    if values:
        c.commit(asynchronous=False)
    c.close()
    return values, error


def fail(message):
    print(message, file=sys.stderr)
    sys.exit(1)


def bindings(principal):
    return [
        ACL(principal, "*", ACLOperation.WRITE, ACLPermissionType.ALLOW, ResourcePattern(ResourceType.TOPIC, "a")),
        ACL(principal, "*", ACLOperation.READ, ACLPermissionType.ALLOW, ResourcePattern(ResourceType.TOPIC, "a")),
        ACL(principal, "*", ACLOperation.READ, ACLPermissionType.ALLOW, ResourcePattern(ResourceType.GROUP, "g")),
    ]


def step_grant(args):
    before = produce(args, "a")
    if before != "TOPIC_AUTHORIZATION_FAILED":
        fail("produce to a before the grant: %r" % before)
    admin = kp_admin(args)
    created = admin.create_acls(bindings(args.principal))
    if created["failed"]:
        fail("create_acls failed: %r" % (created["failed"],))
    listed, err = admin.describe_acls(ACLFilter(args.principal, None, ACLOperation.ANY, ACLPermissionType.ANY,
                                                ResourcePatternFilter(ResourceType.ANY, None,
                                                                      ACLResourcePatternType.ANY)))
    admin.close()
    after = produce(args, "a")
    if after is not None:
        fail("produce to a right after create_acls: %r" % after)
    names = sorted("%s:%s:%s" % (a.resource_pattern.resource_type.name, a.resource_pattern.resource_name,
                                 a.operation.name) for a in listed)
    print(json.dumps({"before": before, "after": after, "described": names}))


def step_enforce(args):
    out = {}
    out["produce_a"] = produce(args, "a", b"enforce")
    out["produce_b"] = produce(args, "b")
    values, err = consume(args, "a", "g")
    out["consume_a_g"] = {"count": len(values), "error": err}
    values, err = consume(args, "a", "h")
    out["consume_a_h"] = {"count": len(values), "error": err}
    admin = AdminClient(conf(args))
    try:
        admin.create_topics([NewTopic("c", 1, 1)])["c"].result(15)
        out["create_topic"] = None
    except KafkaException as e:
        out["create_topic"] = e.args[0].name()
    md = admin.list_topics(timeout=10)
    out["visible_topics"] = sorted(t for t in md.topics if not t.startswith("__"))
    print(json.dumps(out, sort_keys=True))


def step_revoke(args):
    admin = kp_admin(args)
    f = ACLFilter(args.principal, "*", ACLOperation.WRITE, ACLPermissionType.ALLOW,
                  ResourcePatternFilter(ResourceType.TOPIC, "a", ACLResourcePatternType.LITERAL))
    deleted = admin.delete_acls([f])
    admin.close()
    removed = sum(len(matches) for _, matches, _ in deleted)
    print(json.dumps({"removed": removed, "produce_a": produce(args, "a")}))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("bootstrap")
    ap.add_argument("step", choices=["grant", "enforce", "revoke"])
    ap.add_argument("--principal", default="User:ANONYMOUS")
    ap.add_argument("-X", action="append", default=[])
    args = ap.parse_args()
    {"grant": step_grant, "enforce": step_enforce, "revoke": step_revoke}[args.step](args)


if __name__ == "__main__":
    main()
