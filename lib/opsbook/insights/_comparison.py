"""``diff`` and ``anomaly``: patterns compared with an earlier period, and unusual patterns.

``diff`` reads the events of two windows (the query's and the comparison period's, of equal
length), runs the commands before it on both and returns patterns with their count in each.
``anomaly`` splits the query's range into :data:`~opsbook.insights.semantics.ANOMALY_BUCKETS`
equal buckets and keeps the patterns whose counts are unusual (:func:`anomaly_of`). The methods
and how they differ from CloudWatch's are decided in :mod:`opsbook.insights.semantics`.

Examples
--------
>>> import datetime as dt
>>> start = dt.datetime(2026, 3, 31, tzinfo=dt.UTC)
>>> [t.isoformat() for t in comparison_window(start, start + dt.timedelta(hours=2), "previousMonth")]
['2026-02-28T00:00:00+00:00', '2026-02-28T02:00:00+00:00']
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import statistics

import duckdb
import pandas as pd

from opsbook.insights import ast
from opsbook.insights._commands import CommandCompiler
from opsbook.insights._expressions import Rel
from opsbook.insights.semantics import ANOMALY_BUCKETS, ANOMALY_THRESHOLD
from opsbook.insights.values import Value

__all__ = ["ComparisonCompiler", "anomaly_of", "comparison_window", "install_anomaly"]

_SHIFTS = {
    "previousDay": pd.DateOffset(days=1),
    "previousWeek": pd.DateOffset(weeks=1),
    "previousMonth": pd.DateOffset(months=1),
}
#: What may stand before diff: commands that keep (or enrich) events one by one.
_BEFORE_DIFF = (ast.Source, ast.Filter, ast.FilterIndex, ast.Parse, ast.Fields, ast.Display,
                ast.Unmask, ast.Lookup, ast.Pattern)  # fmt: skip


def comparison_window(
    start: dt.datetime, end: dt.datetime, period: str
) -> tuple[dt.datetime, dt.datetime]:
    """Return the comparison period of ``diff <period>``: as long as ``[start, end)``.

    ``previousPeriod`` ends where the range starts; the others start one day, week or calendar
    month earlier (the 31st of March compares with the 28th of February).

    Examples
    --------
    >>> start = dt.datetime(2026, 1, 8, tzinfo=dt.UTC)
    >>> comparison_window(start, start + dt.timedelta(hours=6), "previousPeriod")[0].hour
    18
    """
    if period == "previousPeriod":
        return start - (end - start), start
    shifted = (pd.Timestamp(start) - _SHIFTS[period]).to_pydatetime()
    return shifted, shifted + (end - start)


def anomaly_of(buckets: list[int] | None, count: int) -> dict | None:
    """Return how a pattern's events (their bucket numbers) are unusual, or ``None``.

    A *new pattern* has no event in the first half of the buckets and some in the second; a
    *frequency* anomaly has a bucket whose count stands ``ANOMALY_THRESHOLD`` robust deviations
    above the median bucket (deviation: 1.4826 x the median absolute deviation, at least 1).

    Examples
    --------
    >>> anomaly_of([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11] + [11] * 9, 12)
    {'kind': 'frequency', 'score': 9.0, 'bucket': 11}
    >>> anomaly_of([9, 10], 12)["kind"], anomaly_of([0, 5, 11], 12)
    ('new pattern', None)
    """
    counts = [0] * count
    for bucket in buckets or []:
        counts[bucket] += 1
    half = count // 2
    if not any(counts[:half]) and any(counts[half:]):
        first = next(i for i, c in enumerate(counts) if c)
        return {"kind": "new pattern", "score": float(sum(counts)), "bucket": first}
    median = statistics.median(counts)
    spread = max(1.4826 * statistics.median(abs(c - median) for c in counts), 1.0)
    peak = max(range(count), key=lambda i: (counts[i], -i))
    score = (counts[peak] - median) / spread
    if score >= ANOMALY_THRESHOLD:
        return {"kind": "frequency", "score": round(score, 6), "bucket": peak}
    return None


def install_anomaly(con: duckdb.DuckDBPyConnection) -> None:
    """Register ``ob_anomaly(buckets, n)`` (:func:`anomaly_of`) on ``con``."""
    con.create_function(
        "ob_anomaly",
        anomaly_of,
        [duckdb.list_type("INTEGER"), "INTEGER"],  # type: ignore[list-item]
        duckdb.struct_type({"kind": "VARCHAR", "score": "DOUBLE", "bucket": "INTEGER"}),  # type: ignore[arg-type]
        null_handling="special",
    )


class ComparisonCompiler(CommandCompiler):
    """diff and anomaly; the events of both diff periods are read by the pipeline's ``e0``."""

    def check_comparable(self, commands: tuple[ast.Command, ...], diff: ast.Diff) -> None:
        for command in commands[: commands.index(diff)]:
            if not isinstance(command, _BEFORE_DIFF):
                raise self.fail(
                    command.start,
                    "before diff only commands that keep events one by one (filter, parse, "
                    "fields, lookup, pattern...): diff compares the patterns of two periods",
                )

    def comparison_sql(self, source: ast.Source | None, period: str) -> str:
        """Return e0 for diff: the query's events, then the comparison period's (t_previous)."""
        first, last = comparison_window(self.start, self.end, period)
        window = f"timestamp >= {self.bind(first)} AND timestamp < {self.bind(last)}"
        events = self.events_sql  # type: ignore[attr-defined]  # from SourceCompiler
        columns = self.event_columns()  # type: ignore[attr-defined]  # from SourceCompiler
        current = events(source, columns=f"{columns}, false AS t_previous")
        previous = events(source, window, columns=f"{columns}, true AS t_previous")
        return f"{current} UNION ALL {previous}"

    def bucketing(self) -> str:
        """Return the SQL of an event's bucket number in the query range (the current period)."""
        first = int(self.start.timestamp() * 1000)
        span = max(int(self.end.timestamp() * 1000) - first, 1)
        bucket = (
            f"least({ANOMALY_BUCKETS - 1}, "
            f"CAST(floor((epoch_ms(t_ts) - {first}) * {ANOMALY_BUCKETS} / {span}) AS INTEGER))"
        )
        return f"CASE WHEN NOT t_previous THEN {bucket} END" if self.compare_periods else bucket

    def patterns(self, rel: Rel, start: int, name: str) -> Rel:
        """Return ``rel`` if it holds patterns, else the patterns of its ``@message``."""
        if "@pattern" in rel.scope and not rel.events:
            return rel
        if not rel.events:
            raise self.fail(start, f"events or patterns before {name} (not stats rows)")
        return self.pattern(rel, ast.Pattern(None, start=start))

    def diff(self, rel: Rel, command: ast.Diff) -> Rel:
        rel = self.patterns(rel, command.start, "diff")
        sql = (
            f"SELECT *, c_count - c_previous AS c_change, CASE WHEN c_previous > 0 THEN "
            f"(c_count - c_previous) * 100.0 / c_previous END AS c_change_pct FROM {rel.name}"
        )
        outputs = {
            "@pattern": Value("c_pattern", "str"),
            "@ratio": Value("c_ratio", "num"),
            "@sampleCount": Value("c_count", "num"),
            "@previousSampleCount": Value("c_previous", "num"),
            "@sampleCountChange": Value("c_change", "num"),
            "@changePercent": Value("c_change_pct", "num"),
            "@severityLabel": Value("c_severity", "str"),
        }
        return self.add_cte(
            rel, sql, scope={**rel.scope, **outputs}, order=None, shown=list(outputs.items()),
            default_order=["abs(c_change) DESC", "c_pattern"],
        )  # fmt: skip

    def anomaly(self, rel: Rel, command: ast.Anomaly) -> Rel:
        rel = self.patterns(rel, command.start, "anomaly")
        first = int(self.start.timestamp() * 1000)
        span = max(int(self.end.timestamp() * 1000) - first, 1)
        sql = (
            f"SELECT *, a.kind AS c_anomaly, a.score AS c_score, make_timestamp(CAST(({first} + "
            f"a.bucket * {span} / {ANOMALY_BUCKETS}) * 1000 AS BIGINT)) AS c_when "
            f"FROM (SELECT *, ob_anomaly(c_buckets, {ANOMALY_BUCKETS}) AS a FROM {rel.name}) "
            "WHERE a.kind IS NOT NULL"
        )
        outputs = {
            "@anomalyType": Value("c_anomaly", "str"),
            "@anomalyScore": Value("c_score", "num"),
            "@anomalyTime": Value("c_when", "ts"),
        }
        shown = [s for s in rel.shown if s[0] not in outputs] + list(outputs.items())
        return dataclasses.replace(
            self.add_cte(rel, sql, order=None, default_order=["c_score DESC", "c_pattern"]),
            scope={**rel.scope, **outputs}, shown=shown,
        )  # fmt: skip
