"""A DuckDB connection that reads only what opsbook put in front of it, in bounded memory.

CUR queries include ad-hoc SQL from notebooks and the ``%%athena`` magic. Before any of it runs,
the syntax tree is checked to read only ``cur`` and its own WITH queries
(:func:`opsbook.queries.analyse.parse_athena`); this module is DuckDB's own second line:

- ``enable_external_access = false`` with the export's data files as ``allowed_paths``: no other
  file, folder listing, URL, database (``ATTACH``) or extension can be opened, so
  ``read_text('/etc/hostname')`` or ``glob('/home/*')`` fail even if the tree check missed them;
- ``memory_limit`` from the ``local_memory_limit`` setting (half of the machine's memory by
  default): a query that needs more spills to disk or fails with DuckDB's out-of-memory error,
  instead of the kernel killing the notebook (a self-join of a large CUR once took 23.7 GB);
- ``lock_configuration = true`` last, so no statement can set any of it back.

Statements have no time limit of their own in DuckDB; the local CUR engine interrupts a query
that passes its timeout (``local_query_timeout_s`` by default) with ``con.interrupt()``.

Parquet is read at most one scan job ahead of decoding (:data:`READ_AHEAD_DEPTH`), so a
query's memory follows its threads, not the size of the files it reads.

Opening a database costs ~0.1 s, more than a small CUR query: :func:`sandboxed` keeps one locked
database per set of readable files and memory limit for the life of the process (the last few)
and hands out connections to it, each with its own temporary views.

Examples
--------
>>> import duckdb
>>> con = duckdb.connect()
>>> sandbox(con, [], memory_limit="1GB")
>>> con.sql("SELECT 42").fetchall()
[(42,)]
>>> con.sql("SELECT * FROM read_text('/etc/hostname')")
Traceback (most recent call last):
...
_duckdb.PermissionException: Permission Error: Cannot access file "/etc/hostname" - file system operations are disabled by configuration
"""

from __future__ import annotations

import os
import threading
from collections import OrderedDict
from collections.abc import Sequence
from pathlib import Path

import duckdb

__all__ = ["sandbox", "sandboxed"]

#: Parquet scan jobs DuckDB reads ahead of decoding. Its default (-1, bounded only by a memory
#: budget) lets the reads run ahead of the two decoding threads as far as the data goes: the
#: monthly review peaked 40 to 70 MB higher over 35 M rows than with one job ahead, for the same
#: CPU time (none ahead, 0, costs 15 % more CPU).
READ_AHEAD_DEPTH = 1

#: Locked databases kept open, by (process, readable files, memory limit); the oldest goes first.
_KEPT = 4
_databases: OrderedDict[tuple, duckdb.DuckDBPyConnection] = OrderedDict()
_opening = threading.Lock()


def sandbox(con: duckdb.DuckDBPyConnection, readable: Sequence[Path], *, memory_limit: str) -> None:
    """Let ``con`` read only the files ``readable``, within ``memory_limit``, for good.

    Call it on a fresh connection before any user SQL runs: the settings are locked after.
    """
    con.execute("SET memory_limit = ?", [memory_limit])
    con.execute("SET allowed_paths = ?", [[str(path) for path in readable]])
    con.execute("SET enable_external_access = false")
    con.execute("SET lock_configuration = true")


def sandboxed(readable: Sequence[Path], *, memory_limit: str) -> duckdb.DuckDBPyConnection:
    """Return a new connection to a locked database that reads only ``readable``, within ``memory_limit``.

    The database is opened (and locked, see :func:`sandbox`) the first time these files and this
    limit are asked for, then reused; a new file in the export is a new set, so a new database.

    Examples
    --------
    >>> con = sandboxed([], memory_limit="1GB")
    >>> con.sql("SELECT current_setting('lock_configuration')").fetchall()
    [(True,)]
    >>> con.sql("SELECT current_setting('read_ahead_depth')").fetchall()
    [(1,)]
    >>> sandboxed([], memory_limit="1GB").sql("SELECT 1").fetchall()
    [(1,)]
    """
    key = (os.getpid(), tuple(str(path) for path in readable), memory_limit)
    with _opening:
        database = _databases.get(key)
        if database is None:
            database = duckdb.connect(":memory:")
            database.execute("SET parquet_metadata_cache = true")
            database.execute("SET read_ahead_depth = ?", [READ_AHEAD_DEPTH])
            sandbox(database, readable, memory_limit=memory_limit)
            _databases[key] = database
            while len(_databases) > _KEPT:
                _databases.popitem(last=False)
        _databases.move_to_end(key)
        return database.cursor()
