"""Firehose objects are kept as one Parquet copy per day folder under ``cache_dir``.

The sample's logs are copied into a scratch data folder. A query gives the same rows with the
folder copies as without a cache, and reads them in a later process without decoding; an object
rewritten makes its folder's copy again (only that folder is decoded); a corrupt object is named
as without the cache and its folder is never copied.
"""

from __future__ import annotations

import gzip
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from opsbook import logs
from opsbook.backends import layout
from opsbook.backends.local import columnar, logfiles
from opsbook.errors import UnreadableFileError
from opsbook.settings import resolve

QUERY = "stats count(*) as n by @logStream, bin(1h) | sort n desc"
WINDOW = ("2026-11-13T06:00:00Z", "2026-11-15T00:00:00Z")
KIND = "logs-firehose-v1"
GROUPS = ["/aws/apigateway/shop-public-api/access", "/ecs/checkout-api"]  # Firehose and export


@pytest.fixture
def data(sample_logs: Path) -> Path:
    return sample_logs


def _query(data: Path, cache: Path | str) -> list[dict]:
    logfiles.clear_cache()  # each query as in a new process: only the Parquet copies are left
    settings = resolve(backend="local", data_dir=str(data), cache_dir=str(cache))
    frame = logs.query(QUERY, GROUPS, *WINDOW, settings=settings)
    return sorted(frame.astype(str).to_dict("records"), key=str)


def _folder_copies(cache: Path) -> list[Path]:
    copies = sorted((cache / columnar.FOLDER / KIND).glob("*.parquet"))
    return [c for c in copies if b"objects" in (pq.read_schema(c).metadata or {})]


def _objects(data: Path) -> list[Path]:
    return sorted(p for p in (data / layout.LOG_FIREHOSE).rglob("*") if p.is_file())


def _days(objects: list[Path]) -> set[Path]:
    return {p.parent.parent for p in objects}


def test_the_folder_copies_give_the_rows_the_objects_give(data, tmp_path, monkeypatch) -> None:
    cache = tmp_path / "cache"
    without = _query(data, "off")
    assert _query(data, cache) == without and without
    copies = _folder_copies(cache)
    assert 0 < len(copies) < len(_days(_objects(data))), "the window's days only, one copy each"
    everything = sorted((cache / columnar.FOLDER / KIND).glob("*.parquet"))
    assert everything == copies, "no object has a copy of its own"

    monkeypatch.setattr(logfiles, "_inflate", _refuse)  # a later process reads only the copies
    assert _query(data, cache) == without


def test_an_object_rewritten_decodes_its_folder_again(data, tmp_path, monkeypatch) -> None:
    cache = tmp_path / "cache"
    _query(data, cache)
    before = _folder_copies(cache)
    changed = [p for p in _objects(data) if "/2026/11/14/" in p.as_posix()][0]
    members = logfiles._inflate(changed)
    changed.write_bytes(b"".join(gzip.compress(m) for m in members[:-1]))

    inflated = []
    inflate = logfiles._inflate
    monkeypatch.setattr(logfiles, "_inflate", lambda p: inflated.append(p) or inflate(p))
    _query(data, cache)
    assert inflated and {p.parent.parent for p in inflated} == {changed.parent.parent}
    assert len(_folder_copies(cache)) == len(before) + 1
    monkeypatch.undo()
    assert _query(data, cache) == _query(data, "off")


def test_a_corrupt_object_is_named_and_its_folder_never_copied(data, tmp_path) -> None:
    clean = tmp_path / "clean"
    _query(data, clean)
    bad = [p for p in _objects(data) if "/2026/11/14/" in p.as_posix()][1]
    bad.write_bytes(bad.read_bytes()[:100])  # truncated gzip
    cache = tmp_path / "cache"
    for _ in range(2):  # the second read fails the same way: nothing bad was kept
        with pytest.raises(UnreadableFileError) as raised:
            _query(data, cache)
        assert raised.value.path == str(bad)
    assert len(_folder_copies(cache)) < len(_folder_copies(clean))
    assert columnar.cached_copy(bad, folder=cache, kind=KIND) is None


def _refuse(*args, **kwargs):
    raise AssertionError("decoded although a Parquet copy was kept")


def test_with_skip_unreadable_the_rest_of_its_folder_is_read(data, tmp_path) -> None:
    bad = [p for p in _objects(data) if "/2026/11/14/" in p.as_posix()][1]
    bad.write_bytes(bad.read_bytes()[:100])
    found = {}
    for cache in ("off", tmp_path / "cache"):
        logfiles.clear_cache()
        settings = resolve(data_dir=str(data), cache_dir=str(cache), skip_unreadable=True)
        frame = logs.query(QUERY, GROUPS, *WINDOW, settings=settings)
        assert [s["file"] for s in frame.attrs["skipped"]] == [str(bad)]
        found[str(cache)] = sorted(frame.astype(str).to_dict("records"), key=str)
    assert len(set(map(str, found.values()))) == 1 and found["off"]
