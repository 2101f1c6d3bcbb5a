"""Log exports and Firehose objects are decoded once into Parquet under ``cache_dir``.

The sample's logs (export files and Firehose objects, ~1,000 gzip files) are copied into a
scratch data folder; a query with a cache folder must give the rows it gives without one, leave
one Parquet copy per file, and read the copies in a later process (here: after the in-memory
cache is cleared, with gzip decoding made to fail, so a decode would show).
"""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest
from opsbook import logs
from opsbook.backends import layout
from opsbook.backends.local import columnar, logfiles
from opsbook.errors import UnreadableFileError
from opsbook.settings import resolve

QUERY = "stats count(*) as n by @logStream | sort n desc"
WINDOW = ("2026-11-14T00:00:00Z", "2026-11-15T00:00:00Z")
GROUPS = ["/ecs/checkout-api", "/aws/apigateway/shop-public-api/access"]


@pytest.fixture
def data(sample_logs: Path) -> Path:
    return sample_logs


def _query(data: Path, cache: Path | str) -> list[dict]:
    settings = resolve(backend="local", data_dir=str(data), cache_dir=str(cache))
    frame = logs.query(QUERY, GROUPS, *WINDOW, settings=settings)
    return sorted(frame.astype(str).to_dict("records"), key=str)


def _copies(cache: Path, kind: str) -> list[Path]:
    return sorted((cache / columnar.FOLDER / kind).glob("*.parquet"))


def test_the_copies_give_the_rows_the_files_give(data, tmp_path, monkeypatch) -> None:
    cache = tmp_path / "cache"
    without = _query(data, "off")
    logfiles.clear_cache()
    assert _query(data, cache) == without and without
    read = list((data / layout.LOG_EXPORTS / "ecs" / "checkout-api").rglob("*.gz"))
    assert len(_copies(cache, "logs-export-v1")) == len(read), "one copy per export file read"
    assert _copies(cache, "logs-firehose-v1"), "the Firehose objects are kept too"

    logfiles.clear_cache()  # a new process: only the Parquet copies are left
    monkeypatch.setattr(logfiles.gzip, "decompress", _refuse)
    monkeypatch.setattr(logfiles, "_inflate", _refuse)
    assert _query(data, cache) == without


def test_a_file_rewritten_is_decoded_again(data, tmp_path) -> None:
    cache = tmp_path / "cache"
    _query(data, cache)
    export = sorted((data / layout.LOG_EXPORTS / "ecs").rglob("*.gz"))[0]
    lines = gzip.decompress(export.read_bytes()).decode().splitlines()
    export.write_bytes(gzip.compress(("\n".join(lines[: len(lines) // 2]) + "\n").encode()))
    logfiles.clear_cache()
    before = len(_copies(cache, "logs-export-v1"))
    _query(data, cache)
    assert len(_copies(cache, "logs-export-v1")) == before + 1


def test_a_corrupt_file_is_named_and_never_cached(data, tmp_path) -> None:
    cache = tmp_path / "cache"
    export = sorted((data / layout.LOG_EXPORTS / "ecs").rglob("*.gz"))[0]
    export.write_bytes(export.read_bytes()[:100])  # truncated gzip
    for _ in range(2):  # the second read fails the same way: nothing bad was kept
        with pytest.raises(UnreadableFileError) as raised:
            _query(data, cache)
        assert raised.value.path == str(export)
        logfiles.clear_cache()
    assert columnar.cached_copy(export, folder=cache, kind="logs-export-v1") is None


def _refuse(*args, **kwargs):
    raise AssertionError("decoded although a Parquet copy was kept")
