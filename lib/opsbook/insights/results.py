"""Query results as GetQueryResults presents them, and as a typed DataFrame for notebooks.

GetQueryResults gives each row as a list of ``{"field": name, "value": text}``: every value a
string, timestamps as ``YYYY-MM-DD HH:MM:SS.mmm`` (UTC), numbers without a trailing ``.0``,
booleans as ``1``/``0``, and fields without a value left out of the row.

Examples
--------
>>> import datetime as dt
>>> format_value(dt.datetime(2024, 5, 19, 6, 10, 35, 743000), "ts")
'2024-05-19 06:10:35.743'
>>> format_value(12.0, "num"), format_value(True, "bool")
('12', '1')
"""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from opsbook.insights.compiler import Column, number_text

__all__ = ["Result", "describe_columns", "format_value", "frame_from_records", "sort_key"]

_NUMBER = re.compile(r"^[-+]?[0-9]+(\.[0-9]+)?([eE][-+]?[0-9]+)?$")


def format_value(value: Any, kind: str) -> str | None:
    """Render one value as GetQueryResults would (``None`` for a missing value)."""
    if value is None:
        return None
    if kind == "ts":
        if value.tzinfo is not None:
            value = value.astimezone(dt.UTC).replace(tzinfo=None)
        return f"{value:%Y-%m-%d %H:%M:%S}.{value.microsecond // 1000:03d}"
    if kind == "num":
        return number_text(float(value))
    if kind == "bool":
        return "1" if value else "0"
    if kind == "json":
        decoded = json.loads(value) if isinstance(value, str) else value
        if decoded is None:
            return None
        return decoded if isinstance(decoded, str) else json.dumps(decoded, separators=(",", ":"))
    return str(value)


@dataclass
class Result:
    """Rows of a finished query with their column kinds, plus the query statistics.

    ``pointers`` holds each event row's ``@ptr`` (``None`` for stats queries, which have none
    on AWS either); see :func:`opsbook.insights.engine.pointer_values`.
    """

    columns: list[Column]
    rows: list[tuple[Any, ...]]
    statistics: dict[str, float] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    pointers: list[str] | None = None

    def records(self, *, ptr: bool = True) -> list[list[dict[str, str]]]:
        """Return the rows exactly as GetQueryResults' ``results`` (absent fields omitted).

        Event rows end with their ``@ptr`` cell, as on AWS, unless ``ptr`` is false.
        """
        pointers = self.pointers if ptr and self.pointers is not None else None
        out = []
        for index, row in enumerate(self.rows):
            cells = []
            for column, value in zip(self.columns, row, strict=True):
                text = format_value(value, column.kind)
                if text is not None:
                    cells.append({"field": column.name, "value": text})
            if pointers is not None:
                cells.append({"field": "@ptr", "value": pointers[index]})
            out.append(cells)
        return out

    def dicts(self) -> list[dict[str, str]]:
        """Return each row as ``{field: value}`` with string values, without ``@ptr``."""
        return [{c["field"]: c["value"] for c in row} for row in self.records(ptr=False)]

    def response(self) -> dict[str, Any]:
        """Return the whole GetQueryResults response of this (finished) query.

        Examples
        --------
        >>> sorted(Result([], [], {"recordsMatched": 0.0}).response())
        ['results', 'statistics', 'status']
        """
        keys = ("recordsMatched", "recordsScanned", "bytesScanned")
        statistics = {k: float(self.statistics[k]) for k in keys if k in self.statistics}
        return {"results": self.records(), "statistics": statistics, "status": "Complete"}

    def frame(self) -> pd.DataFrame:
        """Return a typed DataFrame (see :func:`frame_from_records`), statistics in ``attrs``.

        Like AWS's typed path, the frame has no ``@ptr`` column; ``attrs["results"]`` keeps it.
        """
        kinds = {c.name: c.kind for c in self.columns}
        frame = frame_from_records(self.records(), [c.name for c in self.columns], kinds)
        frame.attrs["statistics"] = dict(self.statistics)
        frame.attrs["notes"] = list(self.notes)
        frame.attrs["results"] = self.records()
        return frame


def describe_columns(text: str) -> list[Column] | None:
    """Return the output columns (names and kinds) of Logs Insights ``text``, if it parses.

    The aws backend types GetQueryResults rows with these, so a column is typed the same way
    whichever backend ran the query (``first_seen`` from ``min(@timestamp)`` is a timestamp on
    both). ``None`` for text the local parser rejects (CloudWatch may know newer syntax).

    Examples
    --------
    >>> [(c.name, c.kind) for c in describe_columns("stats min(@timestamp) as t by path")]
    [('path', 'str'), ('t', 'ts')]
    """
    from opsbook.insights.compiler import compile_query
    from opsbook.insights.errors import MalformedQueryError
    from opsbook.insights.parser import parse_query

    try:
        return compile_query(parse_query(text)).columns
    except MalformedQueryError:
        return None


def frame_from_records(
    records: list[list[dict[str, str]]],
    columns: list[str] | None = None,
    kinds: dict[str, str] | None = None,
) -> pd.DataFrame:
    """Return GetQueryResults rows as a typed DataFrame.

    Timestamps (by kind, or ``@timestamp`` and ``bin(...)`` names when kinds are unknown) become
    ``datetime64[ms, UTC]``; columns whose values are all numbers become ``Int64`` or
    ``float64``; the rest stay ``string``. ``@ptr`` is dropped. Both backends use this, so the
    same query gives the same frame.

    Examples
    --------
    >>> frame_from_records([[{"field": "n", "value": "3"}]]).n.dtype
    Int64Dtype()
    """
    kinds = kinds or {}
    names = list(columns or [])
    for row in records:
        for cell in row:
            if cell["field"] not in names and cell["field"] != "@ptr":
                names.append(cell["field"])
    data: dict[str, list[str | None]] = {name: [] for name in names}
    for row in records:
        values = {c["field"]: c["value"] for c in row}
        for name in names:
            data[name].append(values.get(name))
    frame = pd.DataFrame(index=range(len(records)))
    for name in names:
        frame[name] = _typed(pd.Series(data[name], dtype="object"), name, kinds.get(name))
    return frame


def _typed(values: pd.Series, name: str, kind: str | None) -> pd.Series:
    present = values.dropna()
    looks_like_time = name == "@timestamp" or name.startswith(("bin(", "datefloor(", "dateceil("))
    if kind == "ts" or (kind is None and looks_like_time):
        if len(present) and present.map(str.isdigit).all():  # epoch ms (moto, some SDK tools)
            return pd.to_datetime(values.astype("Int64"), unit="ms", utc=True).astype(
                "datetime64[ms, UTC]"
            )
        return pd.to_datetime(values, utc=True, format="%Y-%m-%d %H:%M:%S.%f").astype(
            "datetime64[ms, UTC]"
        )
    if kind in (None, "num", "str") and len(present) and present.map(_is_number).all():
        numbers = pd.to_numeric(values)
        if (numbers.dropna() % 1 == 0).all() and numbers.dropna().abs().max() < 2**53:
            return numbers.astype("Int64")
        return numbers.astype("float64")
    if kind == "bool":
        return values.map({"1": True, "0": False}, na_action="ignore").astype("boolean")
    return values.astype("string")


def _is_number(text: str) -> bool:
    return bool(_NUMBER.match(text))


_RUNS = re.compile(r"[0-9]+|[^0-9]+")


def sort_key(text: str) -> tuple:
    """Return the natural sort key of a value, as the engine's ``sort`` orders (ascending).

    Examples
    --------
    >>> sorted(["2", "A10", "A9", "#"], key=sort_key)
    ['#', 'A9', 'A10', '2']
    """
    if _NUMBER.match(text) and "e" not in text.lower():
        return (1, float(text), text)
    runs = "".join(
        "0" + str(len(r)).zfill(6) + r if r[0] in "0123456789" else r for r in _RUNS.findall(text)
    )
    return (0, 0.0, runs)
