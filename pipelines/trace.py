"""Where a command spends its time: with TUMBUH_TRACE=1 in the environment, each named step's
wall and CPU seconds (CPU of the whole process, reader threads included) are summed and
printed to stderr when the command ends. With TUMBUH_TRACE=steps each step's start is also
printed as it happens (epoch seconds, to line up with a disk or memory sampler outside the
process). Off, a step costs one function call."""

from __future__ import annotations

import atexit
import os
import sys
import time
from collections import defaultdict
from contextlib import contextmanager

ENABLED = bool(os.environ.get("TUMBUH_TRACE"))
STARTS = os.environ.get("TUMBUH_TRACE") == "steps"
_totals: dict[str, list[float]] = defaultdict(lambda: [0.0, 0.0, 0])
_order: list[str] = []


@contextmanager
def step(name: str):
    if not ENABLED:
        yield
        return
    wall, cpu = time.perf_counter(), time.process_time()
    if STARTS:
        print(f"{time.time():.2f} start {name}", file=sys.stderr, flush=True)
    try:
        yield
    finally:
        if name not in _totals:
            _order.append(name)
        total = _totals[name]
        total[0] += time.perf_counter() - wall
        total[1] += time.process_time() - cpu
        total[2] += 1


def report() -> str:
    lines = [f"{'step':<44} {'wall s':>8} {'cpu s':>8} {'calls':>6}"]
    for name in _order:
        wall, cpu, calls = _totals[name]
        lines.append(f"{name:<44} {wall:8.2f} {cpu:8.2f} {int(calls):6d}")
    return "\n".join(lines)


if ENABLED:
    atexit.register(lambda: print(report(), file=sys.stderr))
