"""Result cache of the local CUR engine: re-running a report over unchanged data is instant.

A result is keyed on the normalised DuckDB SQL, the bound values, the flavour and the data
version (path, size and modification time of every file the query reads), so a re-delivered
month (Data Exports overwrite files in place) or a new file misses the cache. Results are
stored as Parquet with their run facts beside them in JSON; a cache that cannot be written
(read-only folder) is skipped, never an error.

Examples
--------
>>> key = cache_key("SELECT 1", {}, "cur2", [])
>>> len(key)
24
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import tempfile
from pathlib import Path
from typing import Any

import pandas as pd

__all__ = ["cache_key", "read_cached", "write_cached"]


def cache_key(sql: str, params: dict[str, Any], flavour: str, files: list[Path]) -> str:
    """Return the key of a run: normalised SQL, values, flavour and the files' versions."""
    versions = []
    for path in files:
        stat = path.stat()
        versions.append((str(path), stat.st_size, stat.st_mtime_ns))
    payload = json.dumps(
        {"sql": " ".join(sql.split()), "params": params, "flavour": flavour, "files": versions},
        sort_keys=True,
        default=str,
    )
    return hashlib.sha256(payload.encode()).hexdigest()[:24]


def read_cached(folder: Path | None, key: str) -> tuple[pd.DataFrame, dict[str, Any]] | None:
    """Return the cached result and its facts, or ``None`` on a miss (or unreadable entry)."""
    if folder is None:
        return None
    data, facts = folder / f"{key}.parquet", folder / f"{key}.json"
    if not (data.is_file() and facts.is_file()):
        return None
    try:
        return pd.read_parquet(data), json.loads(facts.read_text())
    except (OSError, ValueError):
        return None


def write_cached(folder: Path | None, key: str, frame: pd.DataFrame, facts: dict[str, Any]) -> None:
    """Store a result; the rename makes a half-written entry invisible to readers."""
    if folder is None:
        return
    with contextlib.suppress(OSError, ValueError, ImportError):
        folder.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=folder, suffix=".tmp")
        os.close(handle)
        try:
            frame.to_parquet(temporary, index=False)
            os.replace(temporary, folder / f"{key}.parquet")
        finally:
            Path(temporary).unlink(missing_ok=True)
        (folder / f"{key}.json").write_text(json.dumps(facts, default=str))
