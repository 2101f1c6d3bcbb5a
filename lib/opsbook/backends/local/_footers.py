"""What the CUR engine keeps of a Parquet file's footer: a few facts, read once.

The engine needs four facts of each file it opens (of a CSV file, only its column names): the top-level column names (to check a query's
columns), the rows (a billing period with none is an error), a digest of the schema (files of
one schema are read as a plain list) and the compressed bytes per top-level column (what Athena
would bill). They are kept per file version (path, size, modification time) for the life of the
process; the footer itself is let go as soon as they are read (a footer of 16 row groups of 132
columns parses to megabytes), and :func:`footers_read` tells a caller when new ones were, so it
can give their memory back (:mod:`._memory`).

Examples
--------
>>> import tempfile, duckdb
>>> from pathlib import Path
>>> folder = Path(tempfile.mkdtemp())
>>> _ = duckdb.sql(
...     f"COPY (SELECT 1.5 AS cost, MAP {{'app': 'shop'}} AS tags) TO '{folder / 'a.parquet'}'"
... )
>>> facts = footer(folder / "a.parquet")
>>> facts.columns, facts.rows
(('cost', 'tags'), 1)
>>> [name for name, size in facts.column_bytes]
['cost', 'tags']
"""

from __future__ import annotations

import hashlib
from functools import lru_cache
from pathlib import Path
from typing import NamedTuple

import pyarrow.parquet as pq

from opsbook.backends.local.cur_view import file_columns

__all__ = ["Footer", "footer", "footers_read"]


class Footer(NamedTuple):
    """What opsbook keeps of a file's footer: a few facts, not the footer itself."""

    columns: tuple[str, ...]
    rows: int | None  # None: unknown (a CSV file, whose rows are not counted)
    schema: str  # digest of the names and types in order ("" for CSV, whose types are read)
    column_bytes: tuple[tuple[str, int], ...]  # compressed bytes per top-level column


def footer(path: Path) -> Footer:
    """Return a file's column names, rows, schema digest and column sizes (CSV: names only).

    Raises
    ------
    OSError
        When the file cannot be opened (permission, missing, a link loop).
    pyarrow.ArrowInvalid
        When a Parquet file is not Parquet, or is cut short.
    """
    stat = path.stat()
    return _read(str(path), stat.st_size, stat.st_mtime_ns)


def footers_read() -> int:
    """Return how many files' footers (or CSV headers) this process has read (again: none)."""
    return _read.cache_info().misses


@lru_cache(maxsize=4096)
def _read(path: str, size: int, mtime: int) -> Footer:
    if not path.endswith(".parquet"):
        return Footer(tuple(file_columns(Path(path))), None, "", ())  # CSV: its header
    meta = pq.read_metadata(path)
    schema = meta.schema.to_arrow_schema()
    text = schema.to_string(show_schema_metadata=False)
    sizes: dict[str, int] = dict.fromkeys(schema.names, 0)
    for g in range(meta.num_row_groups):
        group = meta.row_group(g)
        for c in range(group.num_columns):
            chunk = group.column(c)
            top = chunk.path_in_schema.split(".", 1)[0]
            sizes[top] = sizes.get(top, 0) + chunk.total_compressed_size
    digest = hashlib.blake2b(text.encode(), digest_size=16).hexdigest()
    return Footer(tuple(schema.names), meta.num_rows, digest, tuple(sizes.items()))
