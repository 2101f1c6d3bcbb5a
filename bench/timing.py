"""Helpers shared by the benchmark scripts: medians (these machines are shared and noisy) and
the pinned sample organisation."""

from __future__ import annotations

import datetime as dt
import statistics
import time
from collections.abc import Callable
from pathlib import Path


def median_seconds(call: Callable[[], object], repeat: int) -> float:
    """Return the median wall time of ``repeat`` calls of ``call``, in seconds."""
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        call()
        samples.append(time.perf_counter() - started)
    return statistics.median(samples)


def pinned_sample(scratch: Path) -> str:
    """Generate the sample organisation the tests pin (as of 2026-11-15, seed 7) under ``scratch``."""
    from opsbook.sample import generate

    started = time.perf_counter()
    generate(scratch / "sample", as_of=dt.date(2026, 11, 15), seed=7)
    print(f"(pinned sample generated in {time.perf_counter() - started:.1f} s)")
    return str(scratch / "sample")
