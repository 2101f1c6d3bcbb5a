"""Kernels started ahead: a suite's next notebook starts on a kernel that is already running.

A kernel takes about a second to start (Python, IPython, ipykernel). A suite run asks
:class:`KernelsAhead` for one kernel per notebook; it keeps up to ``ahead`` kernels starting in
the background (one per worker), so each notebook's kernel starts while the previous notebook
runs. It never starts more kernels than the suite has notebooks. A kernel that fails to start is
not an error here: the notebook then starts its own, and reports its failure as before.

:func:`order_longest_first` orders a suite's notebooks by how long each took in the last
published run, longest first, so that parallel workers finish together instead of one worker
starting the longest notebook last.

Examples
--------
>>> order_longest_first(["a.ipynb", "b.ipynb", "c.ipynb"], {"a.ipynb": 1.0, "b.ipynb": 9.0})
[2, 1, 0]
"""

from __future__ import annotations

import json
import threading
from collections import deque
from collections.abc import Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any

__all__ = ["KernelsAhead", "last_seconds", "order_longest_first", "start_kernel"]

#: Arguments nbclient gives the kernels it starts: no IPython history file per run.
_KERNEL_ARGUMENTS = ["--HistoryManager.hist_file=:memory:"]


def start_kernel(manager_class: type, kernel_name: str, cwd: Path) -> Any:
    """Return a manager of a newly started kernel running in ``cwd``."""
    manager = manager_class(kernel_name=kernel_name)
    manager.start_kernel(extra_arguments=list(_KERNEL_ARGUMENTS), cwd=str(cwd))
    return manager


def stop_kernel(manager: Any) -> None:
    """Close the manager's client channels and kill its kernel (the notebook has finished)."""
    client = getattr(manager, "last_client", None)
    if client is not None:
        client.stop_channels()
    try:
        manager.shutdown_kernel(now=True)
    except Exception:  # already dead or killed by stop_kernels
        manager.cleanup_resources()


class KernelsAhead:
    """Start ``count`` kernels in the background, at most ``ahead`` more than already taken."""

    def __init__(
        self, count: int, ahead: int, *, manager_class: type, kernel_name: str, cwd: Path
    ) -> None:
        self._start = (manager_class, kernel_name, cwd)
        self._starter = ThreadPoolExecutor(max_workers=1, thread_name_prefix="opsbook-kernels")
        self._lock = threading.Lock()
        first = min(ahead, count)
        self._ready: deque[Future[Any]] = deque(self._submit() for _ in range(first))
        self._left = count - first

    def _submit(self) -> Future[Any]:
        return self._starter.submit(start_kernel, *self._start)

    def take(self) -> Any | None:
        """Return a started kernel's manager (waiting for it), or None when none could start."""
        with self._lock:
            if not self._ready:
                return None
            future = self._ready.popleft()
            if self._left > 0:
                self._left -= 1
                self._ready.append(self._submit())
        try:
            return future.result()
        except Exception:  # the notebook starts its own kernel and reports what fails
            return None

    def close(self) -> None:
        """Stop starting kernels and stop those started but never taken (an interrupted run)."""
        with self._lock:
            left, self._ready, self._left = list(self._ready), deque(), 0
        for future in left:
            future.cancel()
        self._starter.shutdown(wait=True)
        for future in left:
            if future.done() and not future.cancelled() and future.exception() is None:
                stop_kernel(future.result())


def last_seconds(home: Path) -> dict[str, float]:
    """Return each notebook's seconds in the newest published run under ``home`` (a suite's folder).

    Examples
    --------
    >>> last_seconds(Path("no-such-folder"))
    {}
    """
    runs = sorted(p for p in home.glob("*/summary.json") if not p.parent.name.startswith("."))
    for summary in reversed(runs):
        try:
            notebooks = json.loads(summary.read_text())["notebooks"]
            return {str(n["notebook"]): float(n["seconds"]) for n in notebooks}
        except (OSError, ValueError, KeyError, TypeError):
            continue
    return {}


def order_longest_first(names: Sequence[str], seconds: Mapping[str, float]) -> list[int]:
    """Return the indexes of ``names``, longest first; unknown ones first, ties in suite order."""
    return sorted(range(len(names)), key=lambda i: -seconds.get(names[i], float("inf")))
