"""Input for jobs/latency-slo.yaml: request latencies per endpoint; /search is slow.

Usage: /usr/bin/python3 scripts/gen/alert_latency_slo.py > input.jsonl
"""
import json

BASE = 1_700_000_000_000
for i in range(120):
    endpoint = ["/home", "/search", "/cart"][i % 3]
    latency = 20 + (i * 7) % 50
    if endpoint == "/search" and i % 4 == 1:
        latency = 900 + i
    print(json.dumps({"endpoint": endpoint, "latency_ms": latency, "ts": BASE + i * 1000}, separators=(",", ":")))
print(json.dumps({"endpoint": "/home", "latency_ms": 10, "ts": BASE + 600_000}, separators=(",", ":")))
