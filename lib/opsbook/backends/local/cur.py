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
   connection that may open only the export's files, in bounded memory (:mod:`._sandbox`).

Examples
--------
>>> from opsbook.settings import resolve
>>> from opsbook import queries
>>> run_cur_query(queries.load("cur/billing_periods"), {}, resolve())  # doctest: +SKIP
"""

from __future__ import annotations

import threading
import time
from functools import lru_cache
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd
import pyarrow.parquet as pq

from opsbook.backends.local import connect
from opsbook.backends.local._reading import Reading
from opsbook.backends.local._sandbox import sandbox
from opsbook.backends.local.cache import cache_key, read_cached, write_cached
from opsbook.backends.local.cur_dialect import transpile_tree
from opsbook.backends.local.cur_files import CurFiles, find_cur_files
from opsbook.backends.local.cur_view import (
    CurView,
    detect_flavour,
    file_columns,
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

__all__ = ["run_cur_query"]


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
    tree = parse_athena(query.sql)
    reading = Reading.of(settings)
    source = find_cur_files(settings, reading)
    columns = referenced_columns(tree)
    con = connect()
    try:
        sandbox(con, source.files, memory_limit=settings.local_memory_limit)
        periods = _prune(con, source, partition_groups(tree), values)
        files = _readable(source, source.select(periods), reading)
        flavour = _flavour(source, files or _readable(source, source.files, Reading(skip=True)))
        if flavour != settings.cur_flavour != "auto":
            raise ConfigurationError(
                f"CUR export {source.export!r} looks like {flavour}, but cur_flavour is "
                f"{settings.cur_flavour!r}: set cur_flavour = 'auto' (or {flavour!r})"
            )
        view = _open_checked(con, source, files, flavour, columns, reading)
        relation = view.relation if files else view.relation.filter("false")
        relation.create_view("cur")
        _check_columns(columns, view, query.name)
        scanned = _bytes_read(files, _source_columns(columns, view))
        local_sql = transpile_tree(tree)
        key = cache_key(local_sql, values, flavour, files)
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
            frame = conform_frame(_execute(con, local_sql, values, limit, query.name))
            write_cached(folder, key, frame, facts.as_dict())
    finally:
        con.close()
    facts.elapsed_s = time.perf_counter() - started
    frame.attrs["query"] = facts.as_dict()
    return reading.mark(frame)


def _flavour(source: CurFiles, files: list[Path]) -> str:
    if not files:
        raise NoDataError(f"no readable data file in CUR export {source.export!r}")
    return detect_flavour(_columns_of(files[0]))


@lru_cache(maxsize=4096)
def _footer_cached(path: str, size: int, mtime: int) -> tuple[tuple[str, ...], int | None]:
    if path.endswith(".parquet"):
        meta = pq.read_metadata(path)
        return tuple(meta.schema.to_arrow_schema().names), meta.num_rows
    return tuple(file_columns(Path(path))), None


def _footer(path: Path) -> tuple[tuple[str, ...], int | None]:
    """Return a file's column names and rows (``None``: unknown without reading it), from its footer."""
    stat = path.stat()
    return _footer_cached(str(path), stat.st_size, stat.st_mtime_ns)


def _columns_of(path: Path) -> tuple[str, ...]:
    return _footer(path)[0]


def _readable(source: CurFiles, files: list[Path], reading: Reading) -> list[Path]:
    """Return the files whose footers read; a billing period whose files hold no rows fails."""
    rows: dict[str | None, list[int | None]] = {}
    kept = []
    period_of = dict(zip(source.files, source.periods, strict=True))
    for path in files:
        footer = reading.read(path, _footer)
        if footer is not None:
            kept.append(path)
            rows.setdefault(period_of.get(path), []).append(footer[1])
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
    columns: set[str],
    reading: Reading,
) -> CurView:
    """Open the view, after checking every file holds each column the query reads from files.

    The view is the union of the files' columns, so one file lacking a column would give its
    rows NULL there (a month's cost read as 0); a legacy CUR's columns vary by month by design.
    """
    base = files or _readable(source, source.files[:1], reading)
    view = open_view(con, base, flavour, source.hive_key)
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
    return open_view(con, kept, flavour, source.hive_key)


def _prune(
    con: duckdb.DuckDBPyConnection,
    source: CurFiles,
    groups: list[list[Any]] | None,
    values: dict[str, Any],
) -> set[str] | None:
    """Return the billing periods the query's own conditions accept (``None``: all files)."""
    labels = sorted({p for p in source.periods if p})
    if groups is None or not labels:
        return None
    con.execute("CREATE TEMP TABLE opsbook_periods (billing_period VARCHAR)")
    con.executemany("INSERT INTO opsbook_periods VALUES (?)", [[label] for label in labels])
    accepted: set[str] = set()
    for conjuncts in groups:
        condition = " AND ".join(f"({transpile_tree(c)})" for c in conjuncts)
        used = {k: v for k, v in values.items() if f"${k}" in condition}
        sql = f"SELECT billing_period FROM opsbook_periods WHERE {condition}"
        try:
            accepted |= {row[0] for row in con.execute(sql, used or None).fetchall()}
        except duckdb.Error:
            return None  # a condition DuckDB cannot evaluate alone: read every period
    con.execute("DROP TABLE opsbook_periods")
    return accepted


def _check_columns(columns: set[str], view: CurView, name: str) -> None:
    if "*" in columns:
        return
    for column in sorted(columns - {c.lower() for c in view.columns}):
        hint = missing_column_hint(column, view.flavour)
        if hint:
            raise MissingColumnError(
                f"query {name!r} needs column {column}, which this {view.flavour} CUR lacks: {hint}",
                column,
            )


def _source_columns(columns: set[str], view: CurView) -> set[str] | None:
    if "*" in columns:
        return None
    found: set[str] = set()
    for column in columns:
        found |= view.sources.get(column, {column})
    return found


@lru_cache(maxsize=4096)
def _column_bytes(path: str, size: int, mtime: int) -> tuple[tuple[str, int], ...]:
    meta = pq.ParquetFile(path).metadata
    totals: dict[str, int] = {}
    for g in range(meta.num_row_groups):
        group = meta.row_group(g)
        for c in range(group.num_columns):
            chunk = group.column(c)
            top = chunk.path_in_schema.split(".", 1)[0]
            totals[top] = totals.get(top, 0) + chunk.total_compressed_size
    return tuple(totals.items())


def _bytes_read(files: list[Path], columns: set[str] | None) -> int:
    """Compressed bytes of ``columns`` (all for ``None``) in ``files``, from the footers."""
    total = 0
    for path in files:
        stat = path.stat()
        if not path.name.endswith(".parquet"):
            total += stat.st_size  # CSV is read whole
            continue
        for column, size in _column_bytes(str(path), stat.st_size, stat.st_mtime_ns):
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
