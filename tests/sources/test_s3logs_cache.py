"""Load balancer logs in S3 are decoded once into the Parquet cache and queried from it.

The oracle for every answer is the read without a cache (``cache_dir="off"``), which decodes
each object again; the cache must change nothing but the work done.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from opsbook.backends import layout
from opsbook.backends.local import _s3columns, columnar, s3logs
from opsbook.errors import UnreadableFileError
from sources.test_s3logs import (
    ACCOUNT,
    FIRST,
    HOUR,
    REGION,
    STEP,
    _alb,
    _bucket,
    _query,
    _write,
    _write_alb,
    _write_nlb,
)

ELB = f"AWSLogs/{ACCOUNT}/elasticloadbalancing/"
QUERIES = [
    "filter elb_status_code >= 500 | stats count(*) as n by bin(5m) as t",
    "stats pct(target_processing_time, 99) as p99, count(*) as n by `target:port`",
    "fields @timestamp, @message, @logStream, @log | sort @timestamp asc | limit 5",
    "filter @message like /503/ | fields elb_status_code, `client:port`",
    'parse @message \'"elb_status_code":"*"\' as code | stats count(*) by code',
    "fields @timestamp, type, `client:port`, listener | sort @timestamp desc | limit 4",
    "stats count(*) as n by type, bin(1h)",
    "fields elb_status_code, @message | dedup elb_status_code",
]


def _copies(cache: Path, kind: str = "alb") -> list[Path]:
    return sorted((cache / columnar.FOLDER / f"s3-{kind}-v1").glob("*.parquet"))


def _key(end: dt.datetime) -> str:
    return layout.elb_object(
        ACCOUNT, REGION, "shop-public.50dc6c495c0c9188", end, "10.0.1.17", "2f1k7q9x"
    )


def _fresh() -> None:
    """Forget what this process remembers, as a new process would."""
    columnar.clear_memo()
    s3logs._bad_lines.clear()


@pytest.fixture
def archive(tmp_path: Path) -> Path:
    _write_alb(tmp_path)
    _write_nlb(tmp_path)
    _fresh()
    return tmp_path


@pytest.mark.parametrize("text", QUERIES)
def test_answers_from_the_cache_are_those_without_it(archive: Path, text: str) -> None:
    cache = archive / "cache"
    window = (FIRST, FIRST + 3 * HOUR)
    expected = _query(archive, text, ELB, *window, cache_dir="off")
    first = _query(archive, text, ELB, *window, cache_dir=str(cache))
    _fresh()
    again = _query(archive, text, ELB, *window, cache_dir=str(cache))
    for frame in (first, again):
        assert frame.attrs["results"] == expected.attrs["results"]
        assert frame.attrs["statistics"] == expected.attrs["statistics"]
    assert len(_copies(cache)) == 36 and len(_copies(cache, "nlb")) == 36


def test_an_object_is_decoded_once(archive: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cache = str(archive / "cache")
    text = "stats count(*) as n"
    first = _query(archive, text, ELB, FIRST, FIRST + HOUR, cache_dir=cache)

    def refuse(*_args: object, **_kw: object) -> None:
        raise AssertionError("decoded again")

    monkeypatch.setattr(_s3columns, "field_table", refuse)
    _fresh()
    assert _query(archive, text, ELB, FIRST, FIRST + HOUR, cache_dir=cache).n.tolist() == (
        first.n.tolist()
    )


def test_a_one_hour_query_decodes_only_that_hours_objects(archive: Path) -> None:
    cache = archive / "cache"
    _query(archive, "stats count(*)", ELB, FIRST + HOUR, FIRST + 2 * HOUR, cache_dir=str(cache))
    assert len(_copies(cache)) == 12  # the hour's 5-minute objects, named for their ends


def test_an_object_rewritten_in_place_is_decoded_again(archive: Path) -> None:
    cache = str(archive / "cache")
    text = "filter elb_status_code = 503 | stats count(*) as n"
    assert _query(archive, text, ELB, FIRST, FIRST + STEP, cache_dir=cache).n.tolist() == [1]
    lines = [_alb(FIRST + dt.timedelta(seconds=s), 503) for s in (1, 2, 3)]
    _write(_bucket(archive) / _key(FIRST + STEP), "\n".join(lines) + "\n")
    assert _query(archive, text, ELB, FIRST, FIRST + STEP, cache_dir=cache).n.tolist() == [3]


def test_a_corrupt_object_is_named_and_never_cached(archive: Path) -> None:
    cache = archive / "cache"
    path = _bucket(archive) / _key(FIRST + STEP)
    path.write_bytes(path.read_bytes()[:20])  # truncated gzip
    for _ in range(2):  # named on every read, not only the first
        with pytest.raises(UnreadableFileError, match=path.name.replace(".", r"\.")):
            _query(archive, "stats count(*)", ELB, FIRST, FIRST + STEP, cache_dir=str(cache))
    assert _copies(cache) == []
    frame = _query(archive, "stats count(*) as n", ELB, FIRST, FIRST + HOUR,
                   cache_dir=str(cache), skip_unreadable=True)  # fmt: skip
    assert [s["file"] for s in frame.attrs["skipped"]] == [str(path)]
    assert len(_copies(cache)) == 11  # the hour's other objects


def test_malformed_lines_are_noted_on_every_read_of_the_copy(archive: Path) -> None:
    cache = str(archive / "cache")
    good = _alb(FIRST + dt.timedelta(seconds=10))
    _write(_bucket(archive) / _key(FIRST + STEP), f"{good}\nhttps 2026-11-14T12:00:01Z cut\n")
    for _ in range(2):
        _fresh()  # the second read finds the note in the copy, not in memory
        frame = _query(archive, "stats count(*) as n", ELB, FIRST, FIRST + STEP, cache_dir=cache)
        assert frame.n.tolist() == [2]  # the good line and the NLB object's line
        (note,) = [n for n in frame.attrs["notes"] if "malformed" in n]
        assert "1 malformed line(s) left out (line 2: 3 fields" in note


def test_a_cache_that_cannot_be_written_is_no_cache(archive: Path) -> None:
    blocked = archive / "blocked"
    blocked.write_text("a file where the cache folder would be")
    frame = _query(archive, "stats count(*) as n", ELB, FIRST, FIRST + HOUR, cache_dir=str(blocked))
    assert frame.n.tolist() == [36]
