# Writes one golden case under tests/jobs/<name>/: job.yaml, its input
# (input.jsonl values or records.jsonl records), expected.jsonl, expected
# outputs of extra topics, and the input's partitions. Shared by the
# generate_*_cases.py scripts.
import json, os
ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")


def J(v): return json.dumps(v, separators=(",", ":"))


def lines(items): return "".join((x if isinstance(x, str) else J(x)) + "\n" for x in items)


def write(name, job, expected, inputs=None, records=None, extra=None, partitions=None):
    d = os.path.join(ROOT, name)
    os.makedirs(d, exist_ok=True)
    open(os.path.join(d, "job.yaml"), "w").write(job.lstrip())
    if inputs is not None:
        open(os.path.join(d, "input.jsonl"), "w").write(lines(inputs))
    if records is not None:
        open(os.path.join(d, "records.jsonl"), "w").write("".join(J(r) + "\n" for r in records))
    open(os.path.join(d, "expected.jsonl"), "w").write(lines(expected))
    for topic, out in (extra or {}).items():
        open(os.path.join(d, "expected.%s.jsonl" % topic), "w").write(lines(out))
    if partitions:
        open(os.path.join(d, "partitions.json"), "w").write(J(partitions) + "\n")
