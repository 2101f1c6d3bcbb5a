r"""Columnar cache of the text formats: a gzip JSON or text file decoded once into Parquet.

Metric Streams records and log exports are gzip text that DuckDB would inflate and parse on
every read; a notebook reads the same hundreds of files in each of its cells. :func:`cached_parquet`
turns one such file into the path of its Parquet copy under ``cache_dir/columnar/<kind>/``: decoded
by the reader's own function the first time, read from the copy while the file keeps its
identity (its name in its real folder, size, modification time and a hash of its first block,
so a file rewritten in place is decoded again, and a folder reached through a symbolic link
shares the copies of its target). :func:`cached_parquet_of` keeps one copy for several files (a
folder's: one Parquet file to scan instead of hundreds), keyed by the identities of all of them,
so a change to any one makes the group's copy again and leaves other groups' copies alone.

What is never cached: a file the decoder refuses. The decoder raises, nothing is left behind,
and the reader's bad-file policy (:mod:`._reading`) names the file or skips it with a note, on
every read, as without the cache. The folder is capped at :data:`CACHE_BYTES` (oldest entries
go first); a folder that cannot be written turns the cache off for the read (``None``), never
an error. ``cache_dir = "off"`` turns it off.

Examples
--------
>>> import gzip, tempfile, pyarrow as pa, pyarrow.parquet as pq
>>> scratch = Path(tempfile.mkdtemp())
>>> source = scratch / "lines.gz"
>>> _ = source.write_bytes(gzip.compress(b"a\nb\n"))
>>> def decode(path, target):
...     lines = gzip.decompress(path.read_bytes()).decode().split()
...     pq.write_table(pa.table({"line": lines}), target)
>>> copy = cached_parquet(source, decode, folder=scratch / "cache", kind="lines-v1")
>>> pq.read_table(copy).column("line").to_pylist()
['a', 'b']
>>> cached_parquet(source, decode, folder=scratch / "cache", kind="lines-v1") == copy
True
>>> cached_parquet(source, decode, folder=None, kind="lines-v1") is None
True

Several files, one copy:

>>> other = scratch / "more.gz"
>>> _ = other.write_bytes(gzip.compress(b"c\n"))
>>> def decode_all(paths, target):
...     lines = [line for p in paths for line in gzip.decompress(p.read_bytes()).decode().split()]
...     pq.write_table(pa.table({"line": lines}), target)
>>> both = cached_parquet_of([source, other], decode_all, folder=scratch / "cache", kind="lines-v1")
>>> pq.read_table(both).column("line").to_pylist()
['a', 'b', 'c']
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import tempfile
import threading
from collections.abc import Callable, Sequence
from pathlib import Path

__all__ = [
    "CACHE_BYTES",
    "FOLDER",
    "cached_copy",
    "cached_parquet",
    "cached_parquet_of",
    "clear_memo",
]

#: Cap on the Parquet copies kept under ``cache_dir/columnar`` (bytes); oldest go first.
CACHE_BYTES = 2 * 2**30
#: The cache's folder under ``cache_dir``.
FOLDER = "columnar"
_FIRST_BLOCK = 64 * 2**10

# Per process: (kind, path, size, mtime, inode) -> key, so a warm read hashes no first blocks;
# and per cache folder, the bytes it holds (counted once, then kept up to date).
_memo: dict[tuple, str] = {}
_held: dict[Path, int] = {}
_lock = threading.Lock()


def cached_parquet(
    path: Path,
    decode: Callable[[Path, Path], None],
    *,
    folder: Path | None,
    kind: str,
    cap: int = CACHE_BYTES,
) -> Path | None:
    """Return the Parquet copy of ``path``, made by ``decode(path, target)`` when missing or stale.

    Parameters
    ----------
    path
        The source file (gzip JSON, text, ...).
    decode
        Writes the file's rows as Parquet to ``target``; raises on a file it cannot read (the
        error reaches the caller, nothing is cached).
    folder
        ``cache_dir`` (the copies go to ``folder/columnar/<kind>``); ``None``: no cache.
    kind
        What the decoder makes, with a version (``metric-streams-v1``): a new decoder or
        schema takes a new kind, so no copy made by an older one is read.
    cap
        Bytes the cache may hold (all kinds); past it the oldest copies are removed.

    Returns
    -------
    Path or None
        The copy, or ``None`` when there is no cache or it cannot be written: read ``path``.
    """
    if folder is None:
        return None
    _, target = _target(path, Path(folder), kind)
    return _kept(target, lambda scratch: decode(path, scratch), Path(folder), cap)


def cached_copy(path: Path, *, folder: Path | None, kind: str) -> Path | None:
    """Return the Parquet copy of ``path`` if one is kept, without decoding anything.

    Examples
    --------
    >>> cached_copy(Path(__file__), folder=None, kind="lines-v1") is None
    True
    """
    if folder is None:
        return None
    _, target = _target(path, Path(folder), kind)
    return target if target.is_file() else None


def cached_parquet_of(
    paths: Sequence[Path],
    decode: Callable[[list[Path], Path], None],
    *,
    folder: Path | None,
    kind: str,
    cap: int = CACHE_BYTES,
) -> Path | None:
    """Return one Parquet copy of several files, made by ``decode(paths, target)`` when missing.

    The copy is keyed by every file's identity (as :func:`cached_parquet` keys one file), so a
    file changed, added or removed makes a new copy of the group. ``decode`` raising (a file it
    cannot read) leaves nothing behind and reaches the caller, who may read the files one by one
    to name the bad one. Parameters and result as :func:`cached_parquet`.
    """
    if folder is None or not paths:
        return None
    ordered = sorted(paths)
    keys = "\x1e".join(_target(path, Path(folder), kind)[1].stem for path in ordered)
    target = (
        Path(folder) / FOLDER / kind / f"{hashlib.sha256(keys.encode()).hexdigest()[:32]}.parquet"
    )
    return _kept(target, lambda scratch: decode(ordered, scratch), Path(folder), cap)


def _kept(target: Path, make: Callable[[Path], None], folder: Path, cap: int) -> Path | None:
    """Return ``target``, made by ``make(scratch)`` when missing and counted against ``cap``."""
    if target.is_file():
        return target
    made = _make(target, make)
    if made is None:
        return None
    _account(folder / FOLDER, made, cap)
    return target


def _target(path: Path, folder: Path, kind: str) -> tuple[tuple, Path]:
    """Return the file's identity and where its copy lives (its key hashes the first block).

    The key names the file by its real folder: a data folder reached through a symbolic link
    shares the copies made through its target. A link to a file keeps its own name (a reader may
    read it, as an S3 object's key), so its copy is its own.
    """
    stat = path.stat()
    identity = (kind, str(path), stat.st_size, stat.st_mtime_ns, stat.st_ino)
    key = _memo.get(identity)
    if key is None:
        with open(path, "rb") as handle:
            first = handle.read(_FIRST_BLOCK)
        named = (kind, os.path.join(os.path.realpath(path.parent), path.name), *identity[2:4])
        text = "\x1f".join(map(str, named)) + hashlib.sha256(first).hexdigest()
        key = hashlib.sha256(text.encode()).hexdigest()[:32]
        _memo[identity] = key
    return identity, folder / FOLDER / kind / f"{key}.parquet"


def clear_memo() -> None:
    """Forget the per-process memory of which copy belongs to which file (tests, benchmarks)."""
    with _lock:
        _memo.clear()
        _held.clear()


def _make(target: Path, write: Callable[[Path], None]) -> int | None:
    """Write a copy through a temporary file renamed into place; its size, ``None`` if unwritable."""
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        handle, scratch = tempfile.mkstemp(dir=target.parent, prefix=".", suffix=".tmp")
        os.close(handle)
    except OSError:
        return None
    try:
        write(Path(scratch))  # a bad file raises here (whatever the error): nothing is kept
        try:
            size = os.path.getsize(scratch)
            os.replace(scratch, target)
        except OSError:
            return None
        return size
    finally:
        with contextlib.suppress(OSError):
            os.unlink(scratch)


def _account(root: Path, added: int, cap: int) -> None:
    """Add a new copy's bytes to the folder's count; past ``cap``, remove the oldest copies."""
    with _lock:
        if root not in _held:
            _held[root] = sum(size for _, size, _ in _entries(root))
        else:
            _held[root] += added
        if _held[root] <= cap:
            return
        entries = sorted(_entries(root), key=lambda entry: entry[2])
        held = sum(size for _, size, _ in entries)
        for entry, size, _ in entries:
            if held <= cap * 0.8:  # some room, so the next copies do not evict one each
                break
            with contextlib.suppress(OSError):
                entry.unlink()
                held -= size
        _held[root] = held


def _entries(root: Path) -> list[tuple[Path, int, int]]:
    """Return every copy under ``root``: path, size and modification time."""
    found = []
    for kind in root.iterdir() if root.is_dir() else ():
        with os.scandir(kind) as entries:
            for entry in entries:
                if entry.name.endswith(".parquet"):
                    with contextlib.suppress(OSError):
                        stat = entry.stat()
                        found.append((Path(entry.path), stat.st_size, stat.st_mtime_ns))
    return found
