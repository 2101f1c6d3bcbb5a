"""Metric Streams records checked one by one: what DuckDB's JSON reader would pass over.

DuckDB reads a record whose ``value`` is not a map as NULL, so a malformed record silently drops
out of a sum; :func:`check_file` reads a file whole in Python and says which line is wrong. The
local metrics backend calls it on the files of a failed query, ``opsbook doctor`` on every file.

Examples
--------
>>> import gzip, tempfile, pathlib
>>> path = pathlib.Path(tempfile.mkdtemp()) / "object.gz"
>>> _ = path.write_bytes(gzip.compress(b'{"namespace": "AWS/Lambda"}'))
>>> check_file(path)
Traceback (most recent call last):
...
opsbook.backends.local._reading.Malformed: malformed record at line 1: metric_name is missing or not str
"""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pyarrow.parquet as pq

from opsbook.backends.local._reading import Malformed

__all__ = ["check_file"]

_STREAM_FIELDS = {"namespace": str, "metric_name": str, "timestamp": int, "value": dict}


def check_file(path: Path) -> None:
    """Read one metrics file whole, raising what is wrong with it (see :mod:`._reading`)."""
    if path.suffix == ".parquet":
        pq.read_table(path)
        return
    if path.stat().st_size == 0:
        raise Malformed("empty file (0 bytes, not gzip)")
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        for number, line in enumerate(handle, 1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
            except json.JSONDecodeError as error:
                raise Malformed(f"malformed JSON record at line {number} ({error.msg})") from None
            if not isinstance(record, dict):
                raise Malformed(f"record at line {number} is not a JSON object")
            for name, kind in _STREAM_FIELDS.items():
                if not isinstance(record.get(name), kind) or isinstance(record.get(name), bool):
                    raise Malformed(
                        f"malformed record at line {number}: {name} is missing or not {kind.__name__}"
                    )
            dimensions = record.get("dimensions", {})
            values = record["value"].values()
            if not isinstance(dimensions, dict) or not all(
                isinstance(v, int | float) and not isinstance(v, bool) for v in values
            ):
                raise Malformed(f"malformed record at line {number}: dimensions or value")
