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

from collections.abc import Sequence
from pathlib import Path

import duckdb

__all__ = ["sandbox"]


def sandbox(con: duckdb.DuckDBPyConnection, readable: Sequence[Path], *, memory_limit: str) -> None:
    """Let ``con`` read only the files ``readable``, within ``memory_limit``, for good.

    Call it on a fresh connection before any user SQL runs: the settings are locked after.
    """
    con.execute("SET memory_limit = ?", [memory_limit])
    con.execute("SET allowed_paths = ?", [[str(path) for path in readable]])
    con.execute("SET enable_external_access = false")
    con.execute("SET lock_configuration = true")
