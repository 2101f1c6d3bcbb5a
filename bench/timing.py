"""Helpers shared by the benchmark scripts: medians (these machines are shared and noisy) and
the pinned sample organisation."""

from __future__ import annotations

import datetime as dt
import multiprocessing
import statistics
import time
from collections.abc import Callable
from pathlib import Path


def median_seconds(
    call: Callable[[], object], repeat: int, clock: Callable[[], float] = time.perf_counter
) -> float:
    """Return the median time of ``repeat`` calls of ``call``, in seconds: wall time, or CPU time
    (user + system, every thread) with ``clock=time.process_time``."""
    samples = []
    for _ in range(repeat):
        started = clock()
        call()
        samples.append(clock() - started)
    return statistics.median(samples)


def in_fresh_process(target: Callable[..., None], *args: object) -> dict:
    """Run ``target(*args, queue)`` in a new (spawned) process and return what it puts on the
    queue: each measurement has its own imports, caches and peak memory."""
    context = multiprocessing.get_context("spawn")
    queue = context.Queue()
    process = context.Process(target=target, args=(*args, queue))
    process.start()
    result = queue.get()
    process.join()
    return result


def pinned_sample(scratch: Path) -> str:
    """Generate the sample organisation the tests pin (as of 2026-11-15, seed 7) under ``scratch``."""
    from opsbook.sample import generate

    started = time.perf_counter()
    generate(scratch / "sample", as_of=dt.date(2026, 11, 15), seed=7)
    print(f"(pinned sample generated in {time.perf_counter() - started:.1f} s)")
    return str(scratch / "sample")
