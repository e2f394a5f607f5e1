# Generates the golden case tests/jobs/expr-strings/ (issue 18 item 5: string and regex functions).
# Run: /usr/bin/python3 tests/jobs/tools/generate_string_cases.py
# Expected outputs come from Python's str, re and urllib.parse, independently of the engine. The
# patterns keep to what RE2 and Python's re read alike (no empty matches in regex_replace, no \0).
import json, os, re
from urllib.parse import urlsplit, parse_qsl

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")

def J(v): return json.dumps(v, separators=(",", ":"), ensure_ascii=False)

JOB = r"""
job: expr-strings
sources:
  bids: {topic: bids}
operators:
  parsed:
    input: bids
    map:
      parts: split(value.path, "/")
      second: split_index(value.path, "/", 2)
      beyond: split_index(value.path, "/", 9)
      at: index_of(value.url, "?")
      dashed: replace(value.path, "/", "-")
      is_item: regex_match(value.path, "/[a-z]+/[a-z]+/item\\.htm")
      has_digit: matches(value.url, "[0-9]")
      channel: regex_extract(value.url, "channel_id=([0-9]+)", 1)
      host: regex_extract(value.url, "^https?://([^/]+)", 1)
      masked: regex_replace(value.url, "([a-z_]+)=[0-9]+", "\\1=#")
      query: url_param(value.url, "query")
      channel_id: url_param(value.url, "channel_id")
      q: url_param(value.url, "q")
      slashes: count_char(value.url, "/")
sinks:
  out: {input: parsed, topic: parsed}
"""

URLS = [
    "https://www.nexmark.com/vyt/vcw/item.htm?query=1&channel_id=1236",
    "https://www.nexmark.com/abc/def/item.htm?channel_id=99&query=2&q=caf%C3%A9+au+lait#frag",
    "http://sub.example.org/x/y/list.htm?q=a%26b&q=second&empty=",
    "https://www.nexmark.com/été/naïve/item.htm",
    "ftp://host/path?flag&query=%zz",
    "https://www.nexmark.com/a/b/item.htm#section?query=7",
    "",
    None,
]

def path_of(url):
    return None if url is None else urlsplit(url).path

def split_index(s, sep, i):
    if s is None: return None
    parts = s.split(sep)
    return parts[i] if 0 <= i < len(parts) else None

def index_of(s, sub):
    return None if s is None else s.encode().find(sub.encode())

def extract(pattern, s, group):
    if s is None: return None
    m = re.search(pattern, s)
    return m.group(group) if m else None

def url_param(url, name):
    if url is None: return None
    if "?" not in url.split("#")[0]: return None
    for k, v in parse_qsl(urlsplit(url).query, keep_blank_values=True):
        if k == name: return v
    return None

inputs, expected = [], []
for url in URLS:
    value = {} if url is None else {"url": url, "path": path_of(url)}
    inputs.append(value)
    p = value.get("path")
    expected.append({
        "parts": None if p is None else p.split("/"),
        "second": split_index(p, "/", 2),
        "beyond": split_index(p, "/", 9),
        "at": index_of(url, "?"),
        "dashed": None if p is None else p.replace("/", "-"),
        "is_item": p is not None and re.fullmatch(r"/[a-z]+/[a-z]+/item\.htm", p) is not None,
        "has_digit": url is not None and re.search(r"[0-9]", url) is not None,
        "channel": extract(r"channel_id=([0-9]+)", url, 1),
        "host": extract(r"^https?://([^/]+)", url, 1),
        "masked": None if url is None else re.sub(r"([a-z_]+)=[0-9]+", r"\1=#", url),
        "query": url_param(url, "query"),
        "channel_id": url_param(url, "channel_id"),
        "q": url_param(url, "q"),
        "slashes": None if url is None else url.count("/"),
    })

d = os.path.join(ROOT, "expr-strings")
os.makedirs(d, exist_ok=True)
open(os.path.join(d, "job.yaml"), "w").write(JOB.lstrip())
open(os.path.join(d, "input.jsonl"), "w").write("".join(J(x) + "\n" for x in inputs))
open(os.path.join(d, "expected.jsonl"), "w").write("".join(J(x) + "\n" for x in expected))
