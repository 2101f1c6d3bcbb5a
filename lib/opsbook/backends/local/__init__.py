"""The local backend: DuckDB over files in the layouts AWS writes to S3, under ``data_dir``.

- ``cur/<export>/data/BILLING_PERIOD=YYYY-MM/*.parquet``: CUR 2.0 from Data Exports (:mod:`.cur`);
- ``logs/export/<log group>/<task id>/<log stream>/NNNNNN.gz``: CloudWatch Logs export task output,
  and ``logs/firehose/<delivery stream>/YYYY/MM/DD/HH/*``: subscription-filter records via
  Firehose (:mod:`.logs`, :mod:`.logfiles`);
- ``metrics/<metric stream>/YYYY/MM/DD/HH/*``: Metric Streams JSON records via Firehose
  (:mod:`.metrics`).
- ``s3/<bucket>/<key>``: logs AWS services write straight to S3 (ALB and NLB access logs, VPC
  flow logs, CloudFront, S3 server access, WAF, CloudTrail, API Gateway via Firehose), queried
  as ``s3://<bucket>/<prefix>`` sources (:mod:`.s3logs`).

- ``alarms/``, ``health/``, ``logs/describe-log-groups.json``: API responses saved as JSON, as
  the AWS CLI prints them (:func:`read_json`).

A copy of a real account's S3 data in these layouts is read the same way as the sample.

Every reader runs on :func:`connect`: a connection of the process's one in-memory database,
opened once (opening a DuckDB database costs ~0.1 s, a connection to an open one nothing).
Each connection keeps its own temporary views, registered tables and session settings; a
reader makes its views with :func:`temp_view`, never ``relation.create_view`` (which would
make a view every connection sees).

Examples
--------
>>> con = connect()
>>> temp_view(con, "answer", con.sql("SELECT 42 AS n"))
>>> con.sql("SELECT n FROM answer").fetchall()
[(42,)]
>>> connect().sql("SELECT count(*) FROM duckdb_views() WHERE view_name = 'answer'").fetchall()
[(0,)]
"""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import duckdb

from opsbook.backends.local._reading import Malformed, Reading
from opsbook.errors import NoDataError
from opsbook.settings import Settings

__all__ = ["HINT", "connect", "data_dir", "read_json", "temp_view"]

HINT = "run `opsbook sample generate`, or point data_dir at a copy of your exported data"


_database: dict[int, duckdb.DuckDBPyConnection] = {}  # by process id: a fork opens its own
_opening = threading.Lock()


def connect() -> duckdb.DuckDBPyConnection:
    """Return a new connection to the process's in-memory DuckDB database (opened once).

    Parquet footers are cached by the database (checked against each file's modification time),
    so a folder read again is not parsed again.
    """
    with _opening:
        database = _database.get(os.getpid())
        if database is None:
            _database.clear()
            database = duckdb.connect(":memory:")
            database.execute("SET parquet_metadata_cache = true")
            _database[os.getpid()] = database
        return database.cursor()


def temp_view(con: duckdb.DuckDBPyConnection, name: str, relation: duckdb.DuckDBPyRelation) -> None:
    """Make ``relation`` the temporary view ``name`` of ``con`` (no other connection sees it)."""
    con.execute(f'CREATE OR REPLACE TEMP VIEW "{name}" AS {relation.sql_query()}')


def data_dir(settings: Settings) -> Path:
    """Return the data folder, or raise :class:`NoDataError` saying how to make one."""
    folder = Path(settings.data_dir)
    if not folder.is_dir():
        raise NoDataError(f"data folder {folder} does not exist: {HINT}")
    return folder


T = TypeVar("T")


def read_json(
    path: Path,
    reading: Reading | None = None,
    use: Callable[[dict[str, Any]], T] = lambda saved: saved,  # type: ignore[assignment,return-value]
) -> T | None:
    """Return ``use`` of a saved API response (a JSON object); ``None`` if ``reading`` skipped it.

    A missing file is :class:`NoDataError` naming it; a file that is not a JSON object, or
    whose records ``use`` cannot take (a missing field, a wrong type), fails as ``reading``
    says (default: :class:`~opsbook.errors.UnreadableFileError` naming it).
    """
    if not path.exists() and not path.is_symlink():
        raise NoDataError(f"no {path.name} under {path.parent}: {HINT}")

    def load(file: Path) -> T:
        saved = json.loads(file.read_text(encoding="utf-8"))
        if not isinstance(saved, dict):
            raise Malformed(f"not a JSON object as the API returns (a {type(saved).__name__})")
        return use(saved)

    return (reading or Reading()).read(path, load)
