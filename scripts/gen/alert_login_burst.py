"""Input for jobs/login-failure-burst.yaml: login events, one user with a burst of failures.

Usage: /usr/bin/python3 scripts/gen/alert_login_burst.py > input.jsonl
"""
import json

BASE = 1_700_000_000_000
events = []
for i in range(40):
    user = ["alice", "bob", "carol"][i % 3]
    events.append({"user": user, "ok": i % 7 != 0, "ts": BASE + i * 1500})
for i in range(8):
    events.append({"user": "mallory", "ok": False, "ts": BASE + 20_000 + i * 500})
events.append({"user": "alice", "ok": True, "ts": BASE + 200_000})
events.sort(key=lambda e: e["ts"])
for e in events:
    print(json.dumps(e, separators=(",", ":")))
