"""The CUR engine's footer facts (backends/local/_footers.py) and giving memory back (_memory.py)."""

from __future__ import annotations

import ctypes
import sys
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from opsbook.backends.local import _footers, _memory
from opsbook.backends.local._reading import Reading
from opsbook.errors import UnreadableFileError


def _nested(path: Path, cost_type: pa.DataType | None = None, groups: int = 3) -> Path:
    """A CUR-like file: a number, a map, a struct and a text, in ``groups`` row groups."""
    table = pa.table(
        {
            "line_item_unblended_cost": pa.array(
                [1.5, 2.5, 3.0, 4.0] * 25, cost_type or pa.float64()
            ),
            "resource_tags": pa.array(
                [[("user_app", f"app{i % 3}")] for i in range(100)],
                pa.map_(pa.string(), pa.string()),
            ),
            "pricing": pa.array(
                [{"unit": "Hrs", "rate": i / 10} for i in range(100)],
                pa.struct([("unit", pa.string()), ("rate", pa.float64())]),
            ),
            "line_item_usage_type": pa.array([f"usage-{i}" for i in range(100)]),
        }
    )
    pq.write_table(table, path, row_group_size=-(-100 // groups))
    return path


def test_the_facts_add_up_each_top_level_column_over_the_row_groups(tmp_path: Path) -> None:
    path = _nested(tmp_path / "a.parquet")
    meta = pq.read_metadata(path)
    expected: dict[str, int] = {}
    for g in range(meta.num_row_groups):
        for c in range(meta.num_columns):
            chunk = meta.row_group(g).column(c)
            top = chunk.path_in_schema.split(".")[0]
            expected[top] = expected.get(top, 0) + chunk.total_compressed_size
    facts = _footers.footer(path)
    assert meta.num_row_groups == 3
    assert facts.columns == tuple(meta.schema.to_arrow_schema().names)
    assert facts.rows == meta.num_rows == 100
    assert dict(facts.column_bytes) == expected
    assert [name for name, _ in facts.column_bytes] == list(facts.columns)


def test_the_schema_digest_tells_types_apart_and_ignores_the_rows(tmp_path: Path) -> None:
    double = _footers.footer(_nested(tmp_path / "double.parquet"))
    again = _footers.footer(_nested(tmp_path / "again.parquet", groups=1))
    single = _footers.footer(_nested(tmp_path / "float.parquet", pa.float32()))
    assert double.schema == again.schema
    assert single.schema != double.schema and single.columns == double.columns


@pytest.mark.parametrize(
    "damage",
    [
        lambda data: data[: len(data) // 2],
        lambda data: b"garbage " * 50,
        lambda data: b"",
        lambda data: data[:-8] + (10**6).to_bytes(4, "little") + b"PAR1",
    ],
    ids=["cut-in-half", "garbage", "empty", "footer-longer-than-the-file"],
)
def test_a_damaged_file_is_named_with_what_is_wrong(tmp_path: Path, damage) -> None:
    good = _nested(tmp_path / "good.parquet").read_bytes()
    path = tmp_path / "bad.parquet"
    path.write_bytes(damage(good))
    with pytest.raises(UnreadableFileError, match="bad.parquet"):
        Reading(skip=False).read(path, _footers.footer)
    skipping = Reading(skip=True)
    assert skipping.read(path, _footers.footer) is None
    assert skipping.skipped[0]["file"] == str(path)
    assert "Parquet" in skipping.skipped[0]["problem"]


def test_each_footer_is_parsed_once_a_version(tmp_path: Path) -> None:
    path = _nested(tmp_path / "a.parquet")
    before = _footers.footers_read()
    assert _footers.footer(path) == _footers.footer(path)
    assert _footers.footers_read() == before + 1
    pq.write_table(pa.table({"only": [1, 2]}), path)
    assert _footers.footer(path).columns == ("only",)
    assert _footers.footers_read() == before + 2


@pytest.mark.skipif(
    not sys.platform.startswith("linux") or not hasattr(ctypes.CDLL(None), "malloc_trim"),
    reason="malloc_trim is glibc's",
)
def test_give_back_returns_the_heaps_free_pages() -> None:
    libc = ctypes.CDLL(None)
    libc.malloc.restype = ctypes.c_void_p
    libc.free.argtypes = [ctypes.c_void_p]
    blocks = [libc.malloc(64 * 1024) for _ in range(1600)]  # 100 MB, below mmap's threshold
    for block in blocks:
        ctypes.memset(block, 1, 64 * 1024)  # touched: resident
    for block in blocks[:-1]:
        libc.free(block)  # the last one stays: the heap's top cannot shrink by itself
    before = _resident_mb()
    assert _memory.give_back() is True
    after = _resident_mb()
    libc.free(blocks[-1])
    assert before - after > 50, f"{before:.0f} MB resident before, {after:.0f} MB after"


def _resident_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise AssertionError("no VmRSS")


def test_each_local_cur_query_gives_its_memory_back(local, monkeypatch) -> None:
    from opsbook import athena
    from opsbook.backends.local import cur

    calls: list[bool] = []
    monkeypatch.setattr(cur, "give_back", lambda: calls.append(True) or True)
    _footers._read.cache_clear()  # the first query parses the footers: it gives that back too
    athena.query(_COUNT, {"m": "2026-10"}, settings=local, use_cache=False)
    assert calls == [True, True]
    athena.query(_COUNT, {"m": "2026-10"}, settings=local, use_cache=False)
    assert calls == [True, True, True], "footers already read: only the query's memory"
    monkeypatch.setattr(cur, "_execute", _raise)
    with pytest.raises(duckdb.Error):  # a failed query gives back too
        athena.query(_COUNT, {"m": "2026-10"}, settings=local, use_cache=False)
    assert calls == [True, True, True, True]


def _raise(*args, **kwargs):
    raise duckdb.InvalidInputException("stopped")


_COUNT = "SELECT count(*) AS n FROM cur WHERE billing_period = :m"
