"""CUR queries on DuckDB: Athena SQL transpiled by sqlglot over the export's files.

What the engine does for one query, in order:

1. find the export's files and their billing periods (``BILLING_PERIOD=YYYY-MM`` folders of a
   Data Export, ``year=/month=`` folders of a legacy CUR, or none for a flat FOCUS file) and
   detect the flavour (:mod:`.cur_files`, :mod:`.cur_view`);
2. prune partitions: the query's own ``billing_period`` conditions, with the bound values, are
   evaluated over the list of periods, and only those periods' files are opened;
3. check the columns the query names exist in the table, naming the export setting that adds
   a missing one;
4. measure what it reads: the compressed size, from the Parquet footers, of the referenced
   columns in the opened files (what Athena would bill, give or take its own statistics), and
   the Athena cost of that scan;
5. answer from the result cache when the SQL, values and files are unchanged (:mod:`.cache`),
   else run the DuckDB text (:mod:`.cur_dialect`), interruptible and with a timeout, on a
   connection that may open only the export's files, in bounded memory (:mod:`._sandbox`);
   what the query freed is then given back to the system (:mod:`._memory`).

Examples
--------
>>> from opsbook.settings import resolve
>>> from opsbook import queries
>>> run_cur_query(queries.load("cur/billing_periods"), {}, resolve())  # doctest: +SKIP
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd

from opsbook.backends.contract import Cur, contract_functions
from opsbook.backends.local._footers import footer, footers_read
from opsbook.backends.local._memory import give_back
from opsbook.backends.local._reading import Reading
from opsbook.backends.local._sandbox import sandboxed
from opsbook.backends.local.cache import cache_key, read_cached, write_cached
from opsbook.backends.local.cur_dialect import transpile_tree
from opsbook.backends.local.cur_files import CurFiles, find_cur_files
from opsbook.backends.local.cur_view import (
    detect_flavour,
    missing_column_hint,
    open_view,
)
from opsbook.errors import (
    ConfigurationError,
    MissingColumnError,
    NoDataError,
    QueryCancelledError,
    QueryFailedError,
)
from opsbook.queries import Query
from opsbook.queries.analyse import parse_athena, partition_groups, referenced_columns
from opsbook.queries.runs import QueryRun, athena_cost_usd, conform_frame
from opsbook.settings import Settings

__all__ = contract_functions(Cur)


def run_cur_query(
    query: Query,
    values: dict[str, Any],
    settings: Settings,
    *,
    timeout: float | None = None,
    use_cache: bool = True,
) -> pd.DataFrame:
    """Run a checked Athena query on DuckDB; ``df.attrs["query"]`` holds the run's facts.

    Parameters
    ----------
    query
        The query (shipped or ad-hoc), already checked by :mod:`opsbook.queries`.
    values
        Its checked parameter values; bound by DuckDB, never formatted into the text.
    settings
        ``data_dir``, ``cur_export``, ``cur_flavour`` and ``cache_dir`` are used.
    timeout
        Seconds after which the query is interrupted; ``None`` takes ``local_query_timeout_s``.
    use_cache
        Read and write the result cache.

    Raises
    ------
    ConfigurationError
        For a column the table lacks (naming the export setting that adds it) or a flavour that
        contradicts the ``cur_flavour`` setting.
    QueryFailedError, QueryCancelledError
        When DuckDB fails, or the query is interrupted or times out.
    """
    started = time.perf_counter()
    plan = _plan(query.sql)
    reading = Reading.of(settings)
    source = find_cur_files(settings, reading)
    con = sandboxed(source.files, memory_limit=settings.local_memory_limit)
    try:
        periods = _prune(con, source, plan.conditions, values)
        files = _readable(source, source.select(periods), reading)
        flavour = _flavour(source, files or _readable(source, source.files, Reading(skip=True)))
        if flavour != settings.cur_flavour != "auto":
            raise ConfigurationError(
                f"CUR export {source.export!r} looks like {flavour}, but cur_flavour is "
                f"{settings.cur_flavour!r}: set cur_flavour = 'auto' (or {flavour!r})"
            )
        view = _open_checked(con, source, files, flavour, plan.columns, reading)
        where = "" if files else " WHERE false"
        con.execute(f"CREATE OR REPLACE TEMP VIEW cur AS SELECT * FROM ({view.sql}){where}")
        _check_columns(plan.columns, view, query.name)
        scanned = _bytes_read(files, _source_columns(plan.columns, view))
        key = cache_key(plan.sql, values, flavour, files)
        facts = QueryRun(
            name=query.name,
            engine="duckdb",
            query_id=key,
            bytes_scanned=scanned,
            cost_usd=athena_cost_usd(scanned),
            flavour=flavour,
            partitions=sorted({p for p in periods or source.periods if p} & set(source.periods))
            if files
            else [],
            files=len(files),
        )
        folder = settings.cache_dir if use_cache else None
        cached = read_cached(folder, key)
        if cached is not None:
            frame = cached[0]
            facts.cache_hit = True
        else:
            limit = timeout if timeout is not None else settings.local_query_timeout_s or None
            frame = conform_frame(_execute(con, plan.sql, values, limit, query.name))
            write_cached(folder, key, frame, facts.as_dict())
    finally:
        con.close()
        give_back()  # what the scan freed, to the system: the next query starts lower
    facts.elapsed_s = time.perf_counter() - started
    frame.attrs["query"] = facts.as_dict()
    return reading.mark(frame)


@dataclass(frozen=True)
class _Plan:
    """What the engine needs of one query text, worked out once per process."""

    sql: str  # the DuckDB text
    conditions: tuple[str, ...] | None  # per read of cur, its billing_period conditions
    columns: frozenset[str]  # the columns it reads ("*" for all)


@lru_cache(maxsize=512)
def _plan(sql: str) -> _Plan:
    """Parse and transpile a query text once per process.

    The DuckDB text does not depend on the flavour: the ``cur`` view gives every flavour CUR 2.0
    names (see :mod:`.cur_view`), so the query text alone is the key.
    """
    tree = parse_athena(sql)
    groups = partition_groups(tree)
    conditions = None
    if groups is not None:
        conditions = tuple(" AND ".join(f"({transpile_tree(c)})" for c in g) for g in groups)
    return _Plan(transpile_tree(tree), conditions, frozenset(referenced_columns(tree)))


@dataclass(frozen=True)
class _View:
    """The ``cur`` view of some files: its SQL and where each column comes from."""

    flavour: str
    sql: str
    columns: frozenset[str]
    sources: dict[str, set[str]]


_views: dict[tuple, _View] = {}


def _open_view(
    con: duckdb.DuckDBPyConnection, files: list[Path], flavour: str, hive_key: str | None
) -> _View:
    """Return the view of ``files``, built once per version of the files (size, mtime)."""
    key = (flavour, hive_key, *((str(f), *_identity(f)) for f in files))
    view = _views.get(key)
    if view is None:
        same = len({footer(f).schema for f in files}) == 1 and files[0].name.endswith(".parquet")
        opened = open_view(con, files, flavour, hive_key, same_schema=same)
        view = _View(
            flavour, opened.relation.sql_query(), frozenset(opened.columns), opened.sources
        )
        if len(_views) >= 64:
            _views.clear()
        _views[key] = view
    return view


def _identity(path: Path) -> tuple[int, int]:
    stat = path.stat()
    return stat.st_size, stat.st_mtime_ns


def _flavour(source: CurFiles, files: list[Path]) -> str:
    if not files:
        raise NoDataError(f"no readable data file in CUR export {source.export!r}")
    return detect_flavour(_columns_of(files[0]))


def _columns_of(path: Path) -> tuple[str, ...]:
    return footer(path).columns


def _readable(source: CurFiles, files: list[Path], reading: Reading) -> list[Path]:
    """Return the files whose footers read; a billing period whose files hold no rows fails."""
    rows: dict[str | None, list[int | None]] = {}
    kept = []
    period_of = dict(zip(source.files, source.periods, strict=True))
    parsed = footers_read()
    for path in files:
        facts = reading.read(path, footer)
        if facts is not None:
            kept.append(path)
            rows.setdefault(period_of.get(path), []).append(facts.rows)
    if footers_read() != parsed:
        give_back()  # the footers just parsed were let go: their memory goes back too
    empty = {p for p, counts in rows.items() if p is not None and counts and not any(counts)}
    for period in sorted(empty):
        first = next(f for f in kept if period_of.get(f) == period)
        reading.fail(first.parent, "billing period holds no rows (its cost would read as 0)")
    return [f for f in kept if period_of.get(f) not in empty]


def _open_checked(
    con: duckdb.DuckDBPyConnection,
    source: CurFiles,
    files: list[Path],
    flavour: str,
    columns: frozenset[str],
    reading: Reading,
) -> _View:
    """Open the view, after checking every file holds each column the query reads from files.

    The view is the union of the files' columns, so one file lacking a column would give its
    rows NULL there (a month's cost read as 0); a legacy CUR's columns vary by month by design.
    """
    base = files or _readable(source, source.files[:1], reading)
    view = _open_view(con, base, flavour, source.hive_key)
    if flavour == "legacy" or not files:
        return view
    union = set().union(*(_columns_of(f) for f in files))
    needed = _source_columns(columns, view)
    needed = union if needed is None else needed & union
    kept = []
    for path in files:
        missing = sorted(needed - set(_columns_of(path)))
        if missing:
            reading.fail(path, f"wrong schema: missing column {', '.join(missing)}")
        else:
            kept.append(path)
    if len(kept) == len(files):
        return view
    files[:] = kept
    if not kept:
        raise NoDataError(f"no readable data file in CUR export {source.export!r} for this query")
    return _open_view(con, kept, flavour, source.hive_key)


def _prune(
    con: duckdb.DuckDBPyConnection,
    source: CurFiles,
    conditions: tuple[str, ...] | None,
    values: dict[str, Any],
) -> set[str] | None:
    """Return the billing periods the query's own conditions accept (``None``: all files)."""
    labels = tuple(sorted({p for p in source.periods if p}))
    if conditions is None or not labels:
        return None
    used = [{k: v for k, v in values.items() if f"${k}" in c} for c in conditions]
    key = (labels, conditions, repr(used))
    if key not in _pruned:
        _pruned[key] = _accepted(con, labels, conditions, used)
        if len(_pruned) > 1024:
            _pruned.pop(next(iter(_pruned)))
    accepted = _pruned[key]
    return None if accepted is None else set(accepted)


_pruned: dict[tuple, frozenset[str] | None] = {}


def _accepted(
    con: duckdb.DuckDBPyConnection,
    labels: tuple[str, ...],
    conditions: tuple[str, ...],
    used: list[dict[str, Any]],
) -> frozenset[str] | None:
    con.execute("CREATE TEMP TABLE opsbook_periods (billing_period VARCHAR)")
    con.executemany("INSERT INTO opsbook_periods VALUES (?)", [[label] for label in labels])
    accepted: set[str] = set()
    for condition, bound in zip(conditions, used, strict=True):
        sql = f"SELECT billing_period FROM opsbook_periods WHERE {condition}"
        try:
            accepted |= {row[0] for row in con.execute(sql, bound or None).fetchall()}
        except duckdb.Error:
            return None  # a condition DuckDB cannot evaluate alone: read every period
    con.execute("DROP TABLE opsbook_periods")
    return frozenset(accepted)


def _check_columns(columns: frozenset[str], view: _View, name: str) -> None:
    if "*" in columns:
        return
    for column in sorted(columns - {c.lower() for c in view.columns}):
        hint = missing_column_hint(column, view.flavour)
        if hint:
            raise MissingColumnError(
                f"query {name!r} needs column {column}, which this {view.flavour} CUR lacks: {hint}",
                column,
            )


def _source_columns(columns: frozenset[str], view: _View) -> set[str] | None:
    if "*" in columns:
        return None
    found: set[str] = set()
    for column in columns:
        found |= view.sources.get(column, {column})
    return found


def _bytes_read(files: list[Path], columns: set[str] | None) -> int:
    """Compressed bytes of ``columns`` (all for ``None``) in ``files``, from the footers."""
    total = 0
    for path in files:
        if not path.name.endswith(".parquet"):
            total += _identity(path)[0]  # CSV is read whole
            continue
        for column, size in footer(path).column_bytes:
            if columns is None or column in columns:
                total += size
    return total


def _execute(
    con: duckdb.DuckDBPyConnection,
    sql: str,
    values: dict[str, Any],
    timeout: float | None,
    name: str,
) -> pd.DataFrame:
    done = threading.Event()

    def stop() -> None:
        # An interrupt that lands before DuckDB starts executing is lost: repeat it until done.
        while not done.is_set():
            con.interrupt()
            done.wait(0.05)

    timer = threading.Timer(timeout, stop) if timeout else None
    if timer:
        timer.start()
    try:
        return con.execute(sql, values or None).df()
    except KeyboardInterrupt:
        con.interrupt()
        raise QueryCancelledError(f"query {name!r} interrupted; nothing is left running") from None
    except duckdb.InterruptException:
        raise QueryCancelledError(
            f"query {name!r} stopped after the {timeout:g} s timeout: narrow the billing periods "
            "or raise the timeout (the timeout argument, or the local_query_timeout_s setting)"
        ) from None
    except duckdb.OutOfMemoryException as error:
        first = str(error).splitlines()[0]
        raise QueryFailedError(
            f"query {name!r} needs more memory than the local_memory_limit setting allows "
            f"({first}): narrow the billing periods, aggregate before joining, or raise "
            "local_memory_limit (e.g. '75%' or '16GB')"
        ) from None
    except duckdb.Error as error:
        raise QueryFailedError(f"query {name!r} failed on DuckDB: {error}") from None
    finally:
        done.set()
        if timer:
            timer.cancel()
