"""How the magics show results and failures: run facts, metric charts, errors.

Tables are shown by :func:`opsbook.present.table`, as in every notebook.

Examples
--------
>>> format_bytes(1_536_000)
'1.5 MB'
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd
import plotly.graph_objects as go

from opsbook import charts
from opsbook.errors import OpsbookError

__all__ = [
    "MagicFailure",
    "format_bytes",
    "metric_chart",
    "summarise_athena",
    "summarise_insights",
]


class MagicFailure(Exception):
    """An opsbook error as a magic shows it: the message alone, no traceback.

    IPython renders an exception with ``_render_traceback_`` by calling it instead of printing
    the stack, so the analyst sees what went wrong and what to do (a malformed query keeps its
    caret line), and the cell still counts as failed: "Run all" stops there.

    Examples
    --------
    >>> from opsbook.errors import ConfigurationError
    >>> MagicFailure(ConfigurationError("bad month"))._render_traceback_()
    ['ConfigurationError: bad month']
    """

    def __init__(self, error: OpsbookError) -> None:
        super().__init__(str(error))
        self.error = error

    def _render_traceback_(self) -> list[str]:
        lines = str(self.error).split("\n")
        return [f"{type(self.error).__name__}: {lines[0]}", *lines[1:]]


def format_bytes(count: float | None) -> str:
    """Return ``count`` bytes in words (B, kB, MB, GB, TB; powers of 1000 as AWS bills them).

    Examples
    --------
    >>> format_bytes(999), format_bytes(2_000_000_000)
    ('999 B', '2.0 GB')
    """
    if count is None or pd.isna(count):
        return "unknown bytes"
    value = float(count)
    for unit in ("B", "kB", "MB", "GB"):
        if abs(value) < 1000:
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1000
    return f"{value:.1f} TB"


def summarise_athena(frame: pd.DataFrame, shown: int) -> str:
    """Return one line: rows, bytes scanned, what the query cost and how long it took.

    Examples
    --------
    >>> frame = pd.DataFrame({"a": [1]})
    >>> frame.attrs["query"] = {"engine": "duckdb", "bytes_scanned": 2_500_000,
    ...     "cost_usd": 0.0000119, "elapsed_s": 0.08, "cache_hit": False}
    >>> summarise_athena(frame, 1)
    '1 row · 2.5 MB scanned · query cost $0.000012 · 0.08 s on duckdb'
    """
    facts: Mapping[str, Any] = frame.attrs.get("query", {})
    parts = [_rows(len(frame), shown), f"{format_bytes(facts.get('bytes_scanned'))} scanned"]
    cost = facts.get("cost_usd")
    if cost is not None:
        # Local queries cost millionths of a dollar: show them, not "$0.00".
        parts.append(f"query cost ${cost:,.2f}" if cost >= 0.01 else f"query cost ${cost:.6f}")
    took = f"{facts.get('elapsed_s', 0.0):.2f} s on {facts.get('engine', '?')}"
    parts.append(took + (" (cached result)" if facts.get("cache_hit") else ""))
    return " · ".join(parts)


def summarise_insights(frame: pd.DataFrame, shown: int) -> str:
    """Return one line: rows, records matched and scanned, bytes scanned (as AWS reports them).

    Examples
    --------
    >>> frame = pd.DataFrame({"n": [3]})
    >>> frame.attrs["statistics"] = {"recordsMatched": 3.0, "recordsScanned": 900.0,
    ...     "bytesScanned": 81000.0}
    >>> summarise_insights(frame, 1)
    '1 row · 3 records matched · 900 records scanned · 81.0 kB scanned'
    """
    stats: Mapping[str, Any] = frame.attrs.get("statistics", {})
    parts = [_rows(len(frame), shown)]
    if "recordsMatched" in stats:
        parts.append(f"{stats['recordsMatched']:,.0f} records matched")
    if "recordsScanned" in stats:
        parts.append(f"{stats['recordsScanned']:,.0f} records scanned")
    parts.append(f"{format_bytes(stats.get('bytesScanned'))} scanned")
    return " · ".join(parts)


def metric_chart(frame: pd.DataFrame, title: str) -> go.Figure:
    """Line chart of a tidy metrics frame (``timestamp``, ``label``, ``value``), one line a label.

    Examples
    --------
    >>> frame = pd.DataFrame({"timestamp": pd.to_datetime(["2026-11-14T10:00Z"] * 2),
    ...     "label": ["a", "b"], "value": [1.0, 2.0]})
    >>> len(metric_chart(frame, "x").data)
    2
    """
    figure = go.Figure(
        [
            go.Scatter(
                x=part["timestamp"],
                y=part["value"],
                name=str(label),
                mode="lines",
                hovertemplate="%{y:,.4g}<extra>%{fullData.name}</extra>",
            )
            for label, part in frame.groupby("label", sort=False)
        ]
    )
    figure.update_layout(template=charts.THEME, title=title, yaxis_rangemode="tozero")
    return figure


def _rows(total: int, shown: int) -> str:
    noun = "row" if total == 1 else "rows"
    return f"{total:,} {noun}" + (f" (first {shown:,} shown)" if shown < total else "")
