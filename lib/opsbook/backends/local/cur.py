"""CUR queries on DuckDB: Athena SQL transpiled by sqlglot over the export's Parquet files.

Examples
--------
>>> from opsbook.settings import resolve
>>> run_cur_query("SELECT count(*) AS n FROM cur", {}, resolve())  # doctest: +SKIP
"""

from __future__ import annotations

from typing import Any

import duckdb
import pandas as pd
import sqlglot

from opsbook.backends.local import HINT, connect, data_dir
from opsbook.errors import ConfigurationError, NoDataError, QueryFailedError
from opsbook.settings import Settings

__all__ = ["cur_files", "run_cur_query"]


def cur_files(settings: Settings) -> str:
    """Return the glob of the CUR export's Parquet files (the export named in settings, or the only one)."""
    root = data_dir(settings) / "cur"
    exports = sorted(p.name for p in root.iterdir() if p.is_dir()) if root.is_dir() else []
    if settings.cur_export:
        if settings.cur_export not in exports:
            raise NoDataError(
                f"no CUR export {settings.cur_export!r} under {root}; found: {', '.join(exports) or 'none'}"
            )
        export = settings.cur_export
    elif len(exports) == 1:
        export = exports[0]
    elif not exports:
        raise NoDataError(f"no CUR export under {root}: {HINT}")
    else:
        raise ConfigurationError(
            f"several CUR exports under {root} ({', '.join(exports)}): set cur_export to one of them"
        )
    data = root / export / "data"
    if not any(data.glob("BILLING_PERIOD=*/*.parquet")):
        raise NoDataError(
            f"CUR export {export!r} has no BILLING_PERIOD=YYYY-MM/*.parquet files in {data}"
        )
    return str(data / "BILLING_PERIOD=*" / "*.parquet")


def run_cur_query(sql: str, params: dict[str, Any], settings: Settings) -> pd.DataFrame:
    """Run Athena SQL on DuckDB: transpiled by sqlglot, ``cur`` bound to the export's Parquet files."""
    con = connect()
    # The partition folder gives billing_period, as the Glue/Athena table's partition key does
    # (lower-case, as Glue names it, so result columns are named the same on both engines).
    files = con.read_parquet(cur_files(settings), hive_partitioning=True)
    files.project("* EXCLUDE (BILLING_PERIOD), BILLING_PERIOD AS billing_period").create_view("cur")
    try:
        local_sql = sqlglot.transpile(sql, read="trino", write="duckdb")[0]
    except sqlglot.errors.ParseError as error:
        raise QueryFailedError(f"cannot parse the query as Athena SQL: {error}") from None
    try:
        return con.execute(local_sql, params or None).df()
    except duckdb.Error as error:
        raise QueryFailedError(f"query failed on DuckDB: {error}") from None
    finally:
        con.close()
