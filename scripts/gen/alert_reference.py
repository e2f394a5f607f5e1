"""Reference computations for the alerting jobs' golden cases.

Small, independent Python versions of what docs/jobs.md specifies, used by the
generators in this folder to compute a golden case's expected.jsonl from the
input they write (never from sluice's output):

- window assignment: tumbling and hopping windows are [start, start + size)
  with starts at multiples of the slide since the epoch; a session window is
  [t, t + gap) per record, merged with the key's overlapping sessions;
- percentile(x, q): the value at rank floor(q * (n - 1)) of the sorted values,
  reported as the midpoint of its logarithmic bucket (the DDSketch form that
  operators/quantile_sketch.h documents, relative accuracy 1%);
- round(x, digits): C's round (halves away from zero) of x * 10^digits;
- JSON lines in the compact form sluice writes.
"""
import json
import math

SKETCH_ACCURACY = 0.01
SKETCH_GAMMA = (1 + SKETCH_ACCURACY) / (1 - SKETCH_ACCURACY)


def hopping(ts, size, slide):
    """The (start, end) of every hopping window holding event time ts, oldest first."""
    last_start = ts - ts % slide
    return [(start, start + size) for start in range(last_start - size + slide, last_start + 1, slide)]


def tumbling(ts, size):
    start = ts - ts % size
    return (start, start + size)


def sessions(times, gap):
    """Merges the intervals [t, t + gap) of sorted event times into [(start, end, [indexes])]."""
    merged = []
    for i, t in enumerate(times):
        if merged and t < merged[-1][1]:
            start, end, members = merged[-1]
            merged[-1] = (start, max(end, t + gap), members + [i])
        else:
            merged.append((t, t + gap, [i]))
    return merged


def sketch_percentile(values, q):
    """percentile(x, q) as sluice reports it: the bucket midpoint of the exact order statistic."""
    exact = sorted(values)[math.floor(q * (len(values) - 1))]
    if exact <= 0:
        raise ValueError("the reference handles positive values only")
    index = math.ceil(math.log(exact) / math.log(SKETCH_GAMMA))
    estimate = 2 * SKETCH_GAMMA ** index / (SKETCH_GAMMA + 1)
    assert abs(estimate - exact) <= SKETCH_ACCURACY * exact, (exact, estimate)
    return estimate


def c_round(x, digits):
    """round(x, digits) of the expression language: std::round(x * 10^d) / 10^d."""
    scale = 10.0 ** digits
    y = abs(x * scale)
    whole = math.floor(y)
    if y - whole >= 0.5:  # exact: a double minus its floor loses nothing
        whole += 1
    return math.copysign(whole, x) / scale


def dumps(value):
    return json.dumps(value, separators=(",", ":"))


def write_lines(values, path):
    with open(path, "w", encoding="utf-8") as out:
        for v in values:
            out.write(dumps(v) + "\n")
