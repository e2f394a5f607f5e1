"""Expected output of jobs/latency-slo.yaml for an input of request records,
computed independently of sluice: per endpoint and 1-minute tumbling window of
`ts`, the p99 of latency_ms (rank floor(0.99 * (n - 1)), reported as sluice's
sketch reports it: see alert_reference.py), alerts where it exceeds 500 ms.
Every record must have a positive latency_ms.

Usage: /usr/bin/python3 scripts/gen/alert_latency_slo.py > input.jsonl
       /usr/bin/python3 scripts/gen/alert_latency_slo_expected.py < input.jsonl > expected.jsonl
"""
import json
import sys
from collections import defaultdict

import alert_reference as ref

MINUTE = 60_000
SLO_MS = 500


def main():
    windows = defaultdict(list)  # (window_end, endpoint) -> latencies
    for line in sys.stdin:
        if line.strip():
            request = json.loads(line)
            _, end = ref.tumbling(request["ts"], MINUTE)
            windows[(end, request["endpoint"])].append(request["latency_ms"])
    for (end, endpoint), latencies in sorted(windows.items()):
        p99 = ref.sketch_percentile(latencies, 0.99)
        if p99 > SLO_MS:
            print(ref.dumps({"endpoint": endpoint, "p99_ms": ref.c_round(p99, 0), "requests": len(latencies),
                             "window_end": end}))


if __name__ == "__main__":
    main()
