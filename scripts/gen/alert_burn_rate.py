"""Input for jobs/error-budget-burn.yaml: two hours of a load balancer's
per-minute counters (requests, 5xx errors) for four services.

Background error ratios are 0.01% to 0.05% (burn rate 0.1 to 0.5). Planted, at
seeded times:
- 2 outages that page: checkout at 10% errors for 20 minutes, search at 8%
  for 12 minutes (paging once the hour's error ratio passes 1.44%, until the
  last bad minute leaves the 5-minute window);
- 3 that must not page: a 2-minute blip on search (30%: the 5-minute window
  burns, the hour does not), a slow burn on accounts (0.5% for 40 minutes:
  burn rate 5, a ticket, not a page), and errors on the quiet recommendations
  service (20% of ~15 requests a minute: under the 100-request floor).

Usage: /usr/bin/python3 scripts/gen/alert_burn_rate.py [--seed N] \
           [--expected expected.jsonl] > input.jsonl
--expected writes the pages the job must send, computed from the generated
counters with hopping windows in alert_reference.py, and checks that every
page falls in a paging outage and that each of them pages.
"""
import argparse
import random
import sys
from collections import defaultdict

import alert_reference as ref

BASE = 1_700_000_040_000  # a whole minute
MINUTE = 60_000
MINUTES = 120
BUDGET = 0.001  # 99.9% SLO
SERVICES = {"accounts": 400, "checkout": 1200, "recommendations": 15, "search": 3000}  # requests a minute


def plan(rng):
    """[(service, first minute, minutes, error ratio, pages)].

    The search blip comes more than an hour after the search outage and after
    the first hour of input, so that its hour window holds no other errors
    and a full hour of requests (early windows hold fewer minutes).
    """
    search = rng.randrange(5, 25)
    return [
        ("checkout", rng.randrange(20, 80), 20, 0.10, True),
        ("search", search, 12, 0.08, True),
        ("search", rng.randrange(search + 73, MINUTES - 8), 2, 0.30, False),
        ("accounts", rng.randrange(10, 70), 40, 0.005, False),
        ("recommendations", rng.randrange(10, 100), 10, 0.20, False),
    ]


def counters(rng, incidents):
    out = []
    background = {s: rng.uniform(0.0001, 0.0005) for s in SERVICES}
    for m in range(MINUTES):
        minute = []
        for service, rate in SERVICES.items():
            requests = max(1, round(rng.gauss(rate, rate * 0.1)))
            ratio = background[service]
            for s, first, length, bad, _ in incidents:
                if s == service and first <= m < first + length:
                    ratio = bad
            errors = sum(1 for _ in range(requests) if rng.random() < ratio)
            arrival = (m + 1) * MINUTE + rng.randrange(3_000)  # flushed after the minute ends
            minute.append((arrival, {"service": service, "requests": requests, "errors": errors,
                                     "ts": BASE + m * MINUTE}))
        out.extend(v for _, v in sorted(minute, key=lambda p: (p[0], p[1]["service"])))
    return out


def window_sums(values, size):
    """(service, window_end) -> [requests, errors] over hopping windows of `size`, sliding by a minute."""
    sums = defaultdict(lambda: [0, 0])
    for v in values:
        for _, end in ref.hopping(v["ts"], size, MINUTE):
            sums[(v["service"], end)][0] += v["requests"]
            sums[(v["service"], end)][1] += v["errors"]
    return sums


def expected_pages(values):
    hour, five = window_sums(values, 60 * MINUTE), window_sums(values, 5 * MINUTE)
    pages = []
    for (service, end), (requests_5m, errors_5m) in sorted(five.items(), key=lambda kv: (kv[0][1], kv[0][0])):
        requests_1h, errors_1h = hour[(service, end)]
        burn_1h = errors_1h / max(requests_1h, 1) / BUDGET
        burn_5m = errors_5m / max(requests_5m, 1) / BUDGET
        if burn_1h >= 14.4 and burn_5m >= 14.4 and requests_5m >= 100:
            pages.append({"service": service, "burn_1h": ref.c_round(burn_1h, 1), "burn_5m": ref.c_round(burn_5m, 1),
                          "requests_5m": requests_5m, "errors_5m": errors_5m, "window_end": end})
    return pages


def check_planted(pages, incidents):
    """Each page lies in a paging outage or the 5 minutes after it; each paging outage pages."""
    paging = [(s, BASE + first * MINUTE, BASE + (first + length + 5) * MINUTE)
              for s, first, length, _, pages_ in incidents if pages_]
    for p in pages:
        if not any(s == p["service"] and lo < p["window_end"] <= hi for s, lo, hi in paging):
            sys.exit(f"unplanned page {p}")
    for s, lo, hi in paging:
        if not any(s == p["service"] and lo < p["window_end"] <= hi for p in pages):
            sys.exit(f"the {s} outage did not page")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--expected", help="write the expected pages (JSON lines) here")
    args = parser.parse_args()
    rng = random.Random(args.seed)
    incidents = plan(rng)
    values = counters(rng, incidents)
    for v in values:
        print(ref.dumps(v))
    if args.expected:
        pages = expected_pages(values)
        check_planted(pages, incidents)
        ref.write_lines(pages, args.expected)
        print(f"{len(values)} counters, {len(pages)} pages from 2 outages", file=sys.stderr)


if __name__ == "__main__":
    main()
