"""One policy for data files the local backend cannot read: an error naming the file, or a note.

Every local reader (CUR, logs, metrics, alarms, CloudTrail, Health) lists folders with
:meth:`Reading.files` and opens each file through :meth:`Reading.read`. A file that cannot be
read (permission denied, symlink loop, truncated, not gzip, not Parquet, a missing column, a
malformed record) raises :class:`~opsbook.errors.UnreadableFileError` naming it and what is
wrong, unless the ``skip_unreadable`` setting is on: then it is skipped, listed in
:attr:`Reading.skipped` (which :meth:`Reading.mark` puts on the result as ``attrs["skipped"]``)
and in the process's :mod:`opsbook.queries.skips`, which reaches the report's ``summary.json``.
Listing never passes over a folder it cannot open, as ``Path.rglob`` does.

Examples
--------
>>> from pathlib import Path
>>> strict = Reading(skip=False)
>>> strict.read(Path("/nonexistent/x.json"), Path.read_text)
Traceback (most recent call last):
...
opsbook.errors.UnreadableFileError: cannot read /nonexistent/x.json: missing (no such file or a broken link); repair or remove it, or set skip_unreadable = true to skip it with a note
>>> lenient = Reading(skip=True)
>>> lenient.read(Path("/nonexistent/x.json"), Path.read_text) is None
True
>>> lenient.skipped
[{'file': '/nonexistent/x.json', 'problem': 'missing (no such file or a broken link)'}]
"""

from __future__ import annotations

import errno
import gzip
import json
import os
import zlib
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import duckdb
import pyarrow as pa

from opsbook.errors import UnreadableFileError
from opsbook.queries import skips
from opsbook.settings import Settings

__all__ = ["Malformed", "Reading", "describe"]

T = TypeVar("T")


class Malformed(ValueError):
    """A reader's own finding about a file (e.g. ``malformed record 3: no logGroup``), shown as is."""


# What a reader may raise on a bad file, and how each is told to the user (first match wins).
_PROBLEMS: tuple[tuple[type[BaseException], Callable[[Any], str]], ...] = (
    (Malformed, str),
    (PermissionError, lambda e: "permission denied"),
    (FileNotFoundError, lambda e: "missing (no such file or a broken link)"),
    (IsADirectoryError, lambda e: "a folder where a file was expected"),
    (gzip.BadGzipFile, lambda e: f"not gzip ({e})"),
    (EOFError, lambda e: "truncated (the compressed data ends early)"),
    (zlib.error, lambda e: f"corrupt gzip data ({e})"),
    (json.JSONDecodeError, lambda e: f"malformed JSON at line {e.lineno}, column {e.colno}"),
    (UnicodeDecodeError, lambda e: f"not UTF-8 text (byte {e.start})"),
    (KeyError, lambda e: f"malformed record: no field {e}"),
    (pa.ArrowInvalid, lambda e: _first_line(f"not valid Parquet/Arrow data ({e})")),
    (duckdb.Error, lambda e: _first_line(f"DuckDB cannot read it ({e})")),
    (OSError, lambda e: _os_problem(e)),
    (TypeError, lambda e: f"malformed record ({e})"),
    (AttributeError, lambda e: f"malformed record ({e})"),
    (IndexError, lambda e: f"malformed record ({e})"),
    (ValueError, lambda e: _first_line(str(e))),
    (pa.ArrowException, lambda e: _first_line(str(e))),
)
_READ_ERRORS = tuple(kind for kind, _ in _PROBLEMS)


def describe(error: BaseException) -> str:
    """Say in a few words what is wrong with a file, from the exception reading it raised.

    Examples
    --------
    >>> describe(EOFError())
    'truncated (the compressed data ends early)'
    >>> describe(OSError(errno.ELOOP, "Too many levels of symbolic links"))
    'symlink loop (too many levels of symbolic links)'
    """
    for kind, told in _PROBLEMS:
        if isinstance(error, kind):
            return told(error)
    return f"{type(error).__name__}: {error}"


def _os_problem(error: OSError) -> str:
    if error.errno == errno.ELOOP:
        return "symlink loop (too many levels of symbolic links)"
    return _first_line(f"{error.strerror or error}")


def _first_line(text: str) -> str:
    return text.strip().splitlines()[0] if text.strip() else text


class Reading:
    """One read's policy for bad files (``skip``: note and go on) and the files it skipped."""

    def __init__(self, skip: bool = False, cache_dir: Path | None = None) -> None:
        self.skip = skip
        self.skipped: list[dict[str, str]] = []
        self.cache_dir = cache_dir  # where decoded text formats are kept as Parquet (None: not)

    @classmethod
    def of(cls, settings: Settings) -> Reading:
        """Return the policy the settings ask for (``skip_unreadable``, ``cache_dir``)."""
        return cls(skip=settings.skip_unreadable, cache_dir=settings.cache_dir)

    def read(self, path: Path, reader: Callable[[Path], T]) -> T | None:
        """Return ``reader(path)``; a bad file raises, or is skipped (``None``) with a note."""
        try:
            return reader(path)
        except UnreadableFileError as error:
            self.fail(error.path, error.problem)
        except _READ_ERRORS as error:
            self.fail(path, describe(error))
        return None

    def fail(self, path: Path | str, problem: str) -> None:
        """Raise :class:`UnreadableFileError` for ``path``, or note it as skipped."""
        if not self.skip:
            raise UnreadableFileError(path, problem)
        if all(s["file"] != str(path) for s in self.skipped):
            self.skipped.append({"file": str(path), "problem": problem})
        skips.note(str(path), problem)

    def files(self, root: Path, keep: Callable[[Path], bool] | None = None) -> list[Path]:
        """Return every file below ``root`` (links followed), sorted; hidden files left out.

        A folder that cannot be listed and a folder link that loops are failures (see
        :meth:`fail`), never passed over in silence. ``keep`` says which folders below ``root``
        to go into (default: all), so a time-pruned read does not list what it will not read.
        A whole listing (no ``keep``) is kept for the life of the process while no folder in it
        changed (each folder's change time: a file added, removed or renamed, or its
        permissions changed), so a second read stats the folders instead of listing them.
        """
        if not root.is_dir():
            return []
        kept = _listings.get(str(root)) if keep is None else None
        if kept is not None and _unchanged(kept[0]):
            return list(kept[1])
        found: list[Path] = []
        seen: set[tuple[int, int]] = set()
        changed: dict[str, int] = {}
        failed = []

        def refused(error: OSError) -> None:
            failed.append(error)
            self.fail(error.filename or root, describe(error))

        for folder, folders, names in os.walk(root, onerror=refused, followlinks=True):
            stat = os.stat(folder)  # one call; a folder is the same folder by device and inode
            real = (stat.st_dev, stat.st_ino)
            if real in seen:
                failed.append(folder)
                self.fail(folder, "symlink loop (the folder links back to one already read)")
                folders[:] = []
                continue
            seen.add(real)
            changed[folder] = stat.st_ctime_ns
            folders[:] = sorted(
                f
                for f in folders
                if not f.startswith(".") and (keep is None or keep(Path(folder, f)))
            )
            found += [Path(folder, n) for n in sorted(names) if not n.startswith(".")]
        found.sort()
        if not failed and keep is None:  # a failed listing is made again, to tell it again
            _listings[str(root)] = (changed, tuple(found))
        return found

    def mark(self, frame: T) -> T:
        """Put the skipped files on a result frame as ``attrs["skipped"]`` and return it.

        The key is there only when a file was skipped, so a complete result carries the same
        facts as the aws backend's.
        """
        attrs = getattr(frame, "attrs", None)
        if attrs is not None and self.skipped:
            earlier = attrs.get("skipped", [])
            attrs["skipped"] = earlier + [s for s in self.skipped if s not in earlier]
        return frame


# Listings by root folder: each folder's change time, and the files found.
_listings: dict[str, tuple[dict[str, int], tuple[Path, ...]]] = {}


def _unchanged(folders: dict[str, int]) -> bool:
    try:
        return all(os.stat(folder).st_ctime_ns == when for folder, when in folders.items())
    except OSError:
        return False
