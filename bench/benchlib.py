"""Timing and table printing shared by the bench_*.py scripts (not a benchmark itself)."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from typing import TypeVar

T = TypeVar("T")


def best_of(
    fn: Callable[[], T], repeats: int, clock: Callable[[], float] = time.perf_counter
) -> tuple[float, T]:
    """The fastest of ``repeats`` calls (the least-disturbed on a shared machine) and the last result.

    ``clock=time.process_time`` times single-threaded work by its CPU seconds, which other
    processes on a shared machine disturb far less than wall time.
    """
    times: list[float] = []
    for _ in range(repeats):
        started = clock()
        result = fn()
        times.append(clock() - started)
    return min(times), result


def print_table(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> None:
    widths = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(headers)]
    print(" | ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True)))
    print("-+-".join("-" * w for w in widths))
    for row in rows:
        print(" | ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)))
