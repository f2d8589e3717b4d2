#!/usr/bin/env python3
"""Reads the per-answer logs that bench/lua/shop.lua writes (log=PREFIX) and checks them.

    python3 bench/wrklog.py LOG...      # per-kind figures and the stale-read check

A line is `kind id version status sent_us answered_us` (CLOCK_MONOTONIC microseconds, so the
logs of every wrk thread and process compare). A read of goods X is stale when its version (from
the ETag "<id>-<version>") is older than the version of an answer about X that was complete before
the read was sent: a write's answer (an admin PATCH) or another read's answer. bench/run uses this
module for the mixed and scale scenarios.
"""
import bisect
import sys
from collections import defaultdict

KINDS = {
    "i": ("GET /api/v1/goods/{id}", {200}),
    "p": ("GET /api/v1/goods?page=N", {200}),
    "l": ("POST /api/v1/sessions (customer login)", {201}),
    "o": ("POST /api/v1/orders (one line)", {202}),
    "a": ("PATCH /api/v1/goods/{id} (admin)", {200}),
    "q": ("query", {200}),
    "w": ("PATCH retiring the listing cache", {200}),
    "x": ("request without an answer", set()),
}


def read(paths):
    """The log lines of PATHS as tuples (kind, id, version, status, sent_us, answered_us)."""
    records = []
    for path in paths:
        with open(path) as log:
            for line in log:
                parts = line.split()
                if len(parts) == 6:
                    records.append((parts[0], int(parts[1]), int(parts[2]), int(parts[3]), int(parts[4]), int(parts[5])))
    return records


def percentile(sorted_values, share):
    """Nearest-rank percentile of an ascending list (None when empty)."""
    if not sorted_values:
        return None
    rank = max(1, min(len(sorted_values), int(share * len(sorted_values) + 0.999999)))
    return sorted_values[rank - 1]


def by_kind(records, seconds):
    """kind -> {count, per_second, p50_ms, p99_ms, errors} over a run of SECONDS."""
    latencies, errors = defaultdict(list), defaultdict(int)
    for kind, _, _, status, sent, answered in records:
        latencies[kind].append((answered - sent) / 1000.0)
        if status not in KINDS.get(kind, ("", {200}))[1]:
            errors[kind] += 1
    figures = {}
    for kind, values in latencies.items():
        values.sort()
        figures[kind] = {
            "count": len(values),
            "per_second": len(values) / seconds if seconds else 0.0,
            "p50_ms": percentile(values, 0.50),
            "p99_ms": percentile(values, 0.99),
            "errors": errors[kind],
        }
    return figures


def stale_reads(records, read_kinds=("i",), write_kinds=("a",)):
    """Reads that returned a version older than an answer about the same goods completed before
    the read was sent. Returns (reads checked, stale reads, up to 5 examples)."""
    answers = defaultdict(list)  # goods id -> [(answered_us, version, kind)]
    reads = []
    for kind, goods, version, status, sent, answered in records:
        if status != 200 or version <= 0:
            continue
        if kind in write_kinds or kind in read_kinds:
            answers[goods].append((answered, version, kind))
        if kind in read_kinds:
            reads.append((goods, version, sent))
    # per goods: answers by completion time, with the highest version completed so far
    ordered = {}
    for goods, items in answers.items():
        items.sort()
        times, highest, best = [], [], 0
        for answered, version, kind in items:
            best = max(best, version)
            times.append(answered)
            highest.append(best)
        ordered[goods] = (times, highest)
    stale, examples = 0, []
    for goods, version, sent in reads:
        times, highest = ordered[goods]
        before = bisect.bisect_left(times, sent)  # answers completed strictly before the read was sent
        if before and highest[before - 1] > version:
            stale += 1
            if len(examples) < 5:
                examples.append(f"goods {goods}: read version {version} sent at {sent} us after version {highest[before - 1]} was answered")
    return len(reads), stale, examples


def main(paths):
    if not paths:
        print(__doc__)
        return 2
    records = read(paths)
    if not records:
        print("no records")
        return 1
    seconds = (max(r[5] for r in records) - min(r[4] for r in records)) / 1e6
    for kind, figure in sorted(by_kind(records, seconds).items()):
        print(f"{KINDS.get(kind, (kind,))[0]}: {figure['count']} answers, {figure['per_second']:.0f}/s, "
              f"p50 {figure['p50_ms']:.2f} ms, p99 {figure['p99_ms']:.2f} ms, {figure['errors']} errors")
    checked, stale, examples = stale_reads(records)
    print(f"stale reads: {stale} of {checked} reads by id")
    for example in examples:
        print("  " + example)
    return 1 if stale else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
