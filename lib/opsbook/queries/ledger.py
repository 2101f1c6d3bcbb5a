"""What the queries of this process cost: Athena, Logs Insights and metrics requests, tallied.

Sources call :func:`charge` once per query with the engine's own figures (bytes scanned, an
estimated USD cost). On the local backend the engine is ``duckdb`` (or the source with
``(local)``) and the USD figure is what the same query would have cost on AWS, which is what a
FinOps reader of a local replay wants to know. The ledger sits below the sources, which write
it; the report runner reads it (:func:`opsbook.runner.record_costs`, in a hidden last cell), so
each notebook's ``summary.json`` entry says what its queries cost.

Examples
--------
>>> reset()
>>> charge("athena", usd=0.05, bytes_scanned=10_485_760, query_id="q-1")
>>> totals()["athena"]
{'queries': 1, 'usd': 0.05, 'bytes_scanned': 10485760}
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

__all__ = ["Charge", "charge", "reset", "totals"]

_LOCK = threading.Lock()


@dataclass(frozen=True)
class Charge:
    """One query's cost as its engine reported or estimated it."""

    engine: str  # "athena", "duckdb", "logs-insights", "cloudwatch-metrics", ...
    usd: float
    bytes_scanned: int
    query_id: str | None = None


_CHARGES: list[Charge] = []


def charge(engine: str, *, usd: float, bytes_scanned: int = 0, query_id: str | None = None) -> None:
    """Add one query's cost to this process's ledger."""
    with _LOCK:
        _CHARGES.append(Charge(engine, float(usd), int(bytes_scanned), query_id))


def totals() -> dict[str, dict[str, float | int]]:
    """Return queries, USD and bytes scanned per engine."""
    out: dict[str, dict[str, float | int]] = {}
    with _LOCK:
        for item in _CHARGES:
            entry = out.setdefault(item.engine, {"queries": 0, "usd": 0.0, "bytes_scanned": 0})
            entry["queries"] += 1
            entry["usd"] = round(entry["usd"] + item.usd, 6)
            entry["bytes_scanned"] += item.bytes_scanned
    return out


def reset() -> None:
    """Forget every charge (a new notebook run starts from zero)."""
    with _LOCK:
        _CHARGES.clear()
