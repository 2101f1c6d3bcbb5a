"""What the reads of this process skipped: files the user allowed opsbook to pass over, noted.

Readers of the local backend call :func:`note` for each file they skipped (only where the
``skip_unreadable`` setting allows it); the report runner reads :func:`skipped` in the hidden last
cell of every notebook (:func:`opsbook.runner.record_costs`), so ``summary.json`` lists the
inputs a report did without. It sits beside the cost :mod:`~opsbook.queries.ledger`, below the
sources.

Examples
--------
>>> reset()
>>> note("cur/x/data/BILLING_PERIOD=2026-10/part-1.parquet", "not Parquet")
>>> note("cur/x/data/BILLING_PERIOD=2026-10/part-1.parquet", "not Parquet")  # once per file
>>> skipped()
[{'file': 'cur/x/data/BILLING_PERIOD=2026-10/part-1.parquet', 'problem': 'not Parquet'}]
>>> reset()
"""

from __future__ import annotations

import threading

__all__ = ["note", "reset", "skipped"]

_LOCK = threading.Lock()
_SKIPPED: dict[str, str] = {}


def note(file: str, problem: str) -> None:
    """Record that ``file`` was skipped because of ``problem`` (the first problem per file wins)."""
    with _LOCK:
        _SKIPPED.setdefault(str(file), problem)


def skipped() -> list[dict[str, str]]:
    """Return every skipped file with its problem, in the order they were first skipped."""
    with _LOCK:
        return [{"file": file, "problem": problem} for file, problem in _SKIPPED.items()]


def reset() -> None:
    """Forget the skipped files (a new notebook run starts from none)."""
    with _LOCK:
        _SKIPPED.clear()
