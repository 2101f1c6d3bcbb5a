"""Timing shared by the benchmark scripts: medians, since these machines are shared and noisy."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable


def median_seconds(call: Callable[[], object], repeat: int) -> float:
    """Return the median wall time of ``repeat`` calls of ``call``, in seconds."""
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        call()
        samples.append(time.perf_counter() - started)
    return statistics.median(samples)
