"""The columnar cache of text formats, the per-process listing and query caches: correctness only.

Speed is measured by ``bench/`` (these machines are shared); here: a hit reads the copy, a changed
file is decoded again, a corrupt file is never cached (an error naming it, or a skip), the folder
stays under its cap, and the cached CUR plans and views answer as uncached ones do.
"""

from __future__ import annotations

import gzip
import json
import os
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from opsbook import athena, metrics
from opsbook.backends.local import columnar
from opsbook.backends.local._reading import Reading
from opsbook.errors import UnreadableFileError
from opsbook.settings import resolve


def _lines(path: Path, *lines: str) -> Path:
    path.write_bytes(gzip.compress("".join(f"{line}\n" for line in lines).encode()))
    return path


def _counting_decoder() -> tuple[list[Path], object]:
    calls: list[Path] = []

    def decode(path: Path, target: Path) -> None:
        calls.append(path)
        lines = gzip.decompress(path.read_bytes()).decode("utf-8").split()
        pq.write_table(pa.table({"line": lines}), target)

    return calls, decode


def test_a_file_is_decoded_once_then_read_from_its_copy(tmp_path: Path) -> None:
    source = _lines(tmp_path / "a.gz", "x", "y")
    calls, decode = _counting_decoder()
    first = columnar.cached_parquet(source, decode, folder=tmp_path / "cache", kind="t-v1")
    columnar.clear_memo()  # a new process: the copy is found on disk
    second = columnar.cached_parquet(source, decode, folder=tmp_path / "cache", kind="t-v1")
    assert first == second and len(calls) == 1
    assert pq.read_table(second).column("line").to_pylist() == ["x", "y"]
    other = columnar.cached_parquet(source, decode, folder=tmp_path / "cache", kind="t-v2")
    assert other != first and len(calls) == 2  # a new decoder version never reads old copies


def test_a_changed_file_is_decoded_again(tmp_path: Path) -> None:
    source = _lines(tmp_path / "a.gz", "x")
    calls, decode = _counting_decoder()
    first = columnar.cached_parquet(source, decode, folder=tmp_path / "cache", kind="t-v1")
    stat = source.stat()
    _lines(source, "z")  # rewritten in place, same size, the old time put back
    os.utime(source, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert source.stat().st_size == stat.st_size
    columnar.clear_memo()
    second = columnar.cached_parquet(source, decode, folder=tmp_path / "cache", kind="t-v1")
    assert second != first and len(calls) == 2  # the first block's hash tells them apart
    assert pq.read_table(second).column("line").to_pylist() == ["z"]


def test_a_folder_reached_through_a_link_shares_its_targets_copies(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    source = _lines(data / "a.gz", "x")
    (tmp_path / "current").symlink_to(data, target_is_directory=True)
    (data / "b.gz").symlink_to("a.gz")  # a link to a file: a name of its own
    calls, decode = _counting_decoder()
    first = columnar.cached_parquet(source, decode, folder=tmp_path / "cache", kind="t-v1")
    columnar.clear_memo()
    through = tmp_path / "current" / "a.gz"
    assert columnar.cached_parquet(through, decode, folder=tmp_path / "cache", kind="t-v1") == first
    assert columnar.cached_copy(through, folder=tmp_path / "cache", kind="t-v1") == first
    assert len(calls) == 1
    linked = columnar.cached_parquet(data / "b.gz", decode, folder=tmp_path / "cache", kind="t-v1")
    assert linked != first and calls == [source, data / "b.gz"]


def test_a_file_the_decoder_refuses_leaves_nothing_behind(tmp_path: Path) -> None:
    source = tmp_path / "bad.gz"
    source.write_bytes(gzip.compress(b"x\n")[:-6])  # truncated
    _, decode = _counting_decoder()
    with pytest.raises(EOFError):
        columnar.cached_parquet(source, decode, folder=tmp_path / "cache", kind="t-v1")
    assert not [p for p in (tmp_path / "cache").rglob("*") if p.is_file()]


def test_no_cache_folder_or_an_unwritable_one_reads_the_file(tmp_path: Path) -> None:
    source = _lines(tmp_path / "a.gz", "x")
    _, decode = _counting_decoder()
    assert columnar.cached_parquet(source, decode, folder=None, kind="t-v1") is None
    blocked = tmp_path / "blocked"
    blocked.write_text("a file where the cache folder would be")
    assert columnar.cached_parquet(source, decode, folder=blocked, kind="t-v1") is None


def test_the_cache_stays_under_its_cap_oldest_first(tmp_path: Path) -> None:
    _, decode = _counting_decoder()
    copies = []
    for index in range(6):
        source = _lines(tmp_path / f"{index}.gz", *(f"line-{index}-{n}" for n in range(200)))
        copies.append(
            columnar.cached_parquet(source, decode, folder=tmp_path / "cache", kind="t-v1")
        )
        os.utime(copies[-1], ns=(index * 10**9, index * 10**9))  # written in order
    size = copies[0].stat().st_size
    cap = int(size * 3.5)
    source = _lines(tmp_path / "last.gz", *(f"line-last-{n}" for n in range(200)))
    columnar.clear_memo()  # counts the folder afresh
    columnar.cached_parquet(source, decode, folder=tmp_path / "cache", kind="t-v1", cap=cap)
    kept = sorted((tmp_path / "cache").rglob("*.parquet"))
    assert sum(p.stat().st_size for p in kept) <= cap
    assert not copies[0].exists() and copies[-1].exists()  # the oldest went first


# -- Metric Streams through the cache ------------------------------------------------------------

_RECORD = {
    "namespace": "AWS/Lambda",
    "metric_name": "Errors",
    "dimensions": {"FunctionName": "f"},
    "timestamp": 1_789_000_000_000,
    "value": {"sum": 2.0, "count": 1.0, "min": 2.0, "max": 2.0},
}


def _stream_folder(tmp_path: Path, *records: dict | str) -> Path:
    data = tmp_path / "data"
    hour = data / "metrics" / "stream" / "2026" / "09" / "10" / "00"
    hour.mkdir(parents=True)
    lines = [r if isinstance(r, str) else json.dumps(r) for r in records]
    _lines(hour / "stream-1-2026-09-10-00-30-00-x.gz", *lines)
    return data


def _errors(settings) -> pd.DataFrame:
    return metrics.get(
        {"e": "AWS/Lambda Errors FunctionName=f stat=Sum"},
        "2026-09-10T00:00Z", "2026-09-10T03:00Z", 3600, settings=settings,
    )  # fmt: skip


def test_metric_streams_read_through_the_cache_as_without_it(tmp_path: Path) -> None:
    data = _stream_folder(tmp_path, _RECORD, {**_RECORD, "timestamp": 1_789_000_060_000})
    cached = resolve(backend="local", data_dir=str(data), cache_dir=str(tmp_path / "cache"))
    plain = cached.replace(cache_dir="off")
    assert _errors(cached).value.tolist() == _errors(plain).value.tolist() == [4.0]
    copies = list((tmp_path / "cache" / columnar.FOLDER).rglob("*.parquet"))
    assert len(copies) == 1
    assert _errors(cached).value.tolist() == [4.0]  # warm: read from the copy


def test_a_malformed_metric_record_is_named_or_skipped_never_cached(tmp_path: Path) -> None:
    data = _stream_folder(tmp_path, _RECORD, {**_RECORD, "value": "many"})
    settings = resolve(backend="local", data_dir=str(data), cache_dir=str(tmp_path / "cache"))
    with pytest.raises(UnreadableFileError, match=r"stream-1-.*\.gz.*line 2"):
        _errors(settings)
    lenient = _errors(settings.replace(skip_unreadable=True))
    assert lenient.empty and "stream-1-" in lenient.attrs["skipped"][0]["file"]
    assert not list((tmp_path / "cache").rglob("*.parquet"))


def test_a_listing_is_kept_until_a_folder_changes(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "one").write_text("1")
    assert [p.name for p in Reading().files(tmp_path)] == ["one"]
    (tmp_path / "a" / "two").write_text("2")
    assert [p.name for p in Reading().files(tmp_path)] == ["one", "two"]
    (tmp_path / "a" / "one").unlink()
    assert [p.name for p in Reading().files(tmp_path)] == ["two"]


# -- CUR: plans, views and databases kept per process ------------------------------------------


def test_cur_sees_a_redelivered_month_and_a_new_one(tmp_path: Path, sample_dir: Path) -> None:
    export = next((sample_dir / "cur").iterdir())
    october = export / "data" / "BILLING_PERIOD=2026-10"
    copy = tmp_path / "cur" / export.name / "data" / october.name
    copy.mkdir(parents=True)
    (source,) = october.glob("*.parquet")
    table = pq.read_table(source)
    pq.write_table(table, copy / source.name)
    settings = resolve(backend="local", data_dir=str(tmp_path), cache_dir="off")
    params = {"start_period": "2026-10", "end_period": "2026-11"}

    def total() -> float:
        rows = athena.query("cur/cost_by_service", params, settings=settings)
        return round(float(rows.unblended_cost.sum()), 6)

    whole = total()
    assert total() == whole  # the kept plan, view and database answer as the first run
    pq.write_table(table.slice(0, table.num_rows // 2), copy / source.name)  # re-delivered
    half = total()
    assert half < whole
    november = copy.parent / "BILLING_PERIOD=2026-11"
    november.mkdir()
    pq.write_table(table, november / source.name)  # a new month: a new file set
    assert total() == pytest.approx(half + whole)
