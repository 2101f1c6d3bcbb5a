"""The log files decoded in this process: kept in memory (least recently used out) and as Parquet.

:func:`decoded` returns a gzip log file's events (:class:`Decoded`): from memory, else from its
Parquet copy in ``cache_dir`` (:func:`.columnar.cached_parquet`), else decoded and kept in both.
The memory cache holds at most :data:`CACHE_BYTES`, keyed by the decoder and the file's path, size
and modification time, so a rewritten file is decoded again; :func:`clear_cache` forgets it (a
new process keeps only the Parquet copies).
"""

from __future__ import annotations

import json
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from opsbook.backends.local.columnar import cached_parquet

__all__ = [
    "CACHE_BYTES",
    "Decoded",
    "cache_key",
    "cache_kind",
    "cached",
    "clear_cache",
    "decoded",
    "load",
    "save",
    "store",
]

CACHE_BYTES = 512 * 2**20


def clear_cache() -> None:
    """Forget the decoded log files (they are also re-read whenever a file's size or mtime changes).

    Examples
    --------
    >>> clear_cache()
    """
    with _CACHE_LOCK:
        _CACHE.clear()
        _HELD[0] = 0


@dataclass(frozen=True)
class Decoded:
    """A gzip file's events (``timestamp, message`` + Firehose's ``log_stream, log_group``)."""

    events: pa.Table
    groups: frozenset[str] = frozenset()  # Firehose: every DATA_MESSAGE record's group
    listed: frozenset[str] = frozenset()  # Firehose: the groups with events


# Decoded files by (decoder, path, size, mtime), least recently used first, with their sizes; a
# runbook's several queries over the same window would otherwise inflate and parse every file again.
_CACHE: OrderedDict[tuple, tuple[Decoded, int]] = OrderedDict()
_CACHE_LOCK = threading.Lock()
_HELD = [0]  # bytes in _CACHE


def decoded(
    path: Path, decode: Callable[[Path], Decoded], cache_dir: Path | None = None
) -> Decoded:
    """Return a file's events: from memory, else its Parquet copy in ``cache_dir``, else decoded.

    A file decoded here is kept in memory and, with a ``cache_dir``, as Parquet
    (:func:`.columnar.cached_parquet`) so the next process reads the copy; a file the decoder
    refuses is never kept.
    """
    key = cache_key(path, decode)
    with _CACHE_LOCK:
        if key in _CACHE:
            _CACHE.move_to_end(key)
            return _CACHE[key][0]
    copy = cached_parquet(path, lambda p, target: save(decode(p), target), folder=cache_dir,
                          kind=cache_kind(decode))  # fmt: skip
    found = load(copy) if copy is not None else decode(path)
    store(key, found)
    return found


def cache_kind(decode: Callable[[Path], Decoded]) -> str:
    """Return the columnar cache kind of a decoder (a new schema takes a new version)."""
    return f"logs{decode.__name__.replace('_decode', '').replace('_', '-')}-v1"


def save(found: Decoded, target: Path) -> None:
    """Write decoded events as Parquet, the Firehose group sets in the schema's metadata."""
    meta = {b"groups": json.dumps(sorted(found.groups)).encode(),
            b"listed": json.dumps(sorted(found.listed)).encode()}  # fmt: skip
    pq.write_table(found.events.replace_schema_metadata(meta), target)


def load(copy: Path) -> Decoded:
    """Read events written by :func:`save`."""
    table = pq.read_table(copy)
    meta = table.schema.metadata or {}
    groups = frozenset(json.loads(meta.get(b"groups", b"[]")))
    listed = frozenset(json.loads(meta.get(b"listed", b"[]")))
    return Decoded(table.replace_schema_metadata(None), groups, listed)


def cache_key(path: Path, decode: Callable[[Path], Decoded]) -> tuple:
    stat = path.stat()
    return (decode.__name__, str(path), stat.st_size, stat.st_mtime_ns)


def store(key: tuple, found: Decoded) -> None:
    size = found.events.nbytes  # a slice counts its rows, not the buffers it shares
    with _CACHE_LOCK:
        if size > CACHE_BYTES or key in _CACHE:
            return
        _CACHE[key] = (found, size)
        _HELD[0] += size
        while _HELD[0] > CACHE_BYTES:
            _, (_, dropped) = _CACHE.popitem(last=False)
            _HELD[0] -= dropped


def cached(key: tuple) -> Decoded | None:
    """Return the events kept in memory under ``key`` (:func:`cache_key`), or ``None``."""
    with _CACHE_LOCK:
        held = _CACHE.get(key)
    return None if held is None else held[0]
