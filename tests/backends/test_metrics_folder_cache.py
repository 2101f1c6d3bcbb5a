"""Metric Streams files kept as one Parquet copy per day folder: correctness only.

Speed is measured by ``bench/slo_evaluate.py``; here: the answers are those of the JSON read
without a cache, a changed file makes its day's copy again and no other, a bad file is named (or
skipped with a note) and never cached while the rest of its folder is still read.
"""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pandas as pd
import pytest
from opsbook import metrics
from opsbook.backends.local import columnar
from opsbook.backends.local import metrics as local_metrics
from opsbook.errors import UnreadableFileError
from opsbook.settings import resolve

_START = pd.Timestamp("2026-09-10", tz="UTC")
_DAYS, _HOURS = 3, 4  # three day folders of four hour folders, one file an hour


def _record(moment: pd.Timestamp, function: str, value: float) -> dict:
    return {
        "namespace": "AWS/Lambda",
        "metric_name": "Errors",
        "dimensions": {"FunctionName": function},
        "timestamp": moment.value // 10**6,
        "value": {"sum": value, "count": 1.0, "min": value, "max": value, "p99": value},
    }


def _file(day: int, hour: int) -> str:
    moment = _START + pd.Timedelta(days=day, hours=hour)
    return f"stream/{moment:%Y/%m/%d/%H}/stream-1-{moment:%Y-%m-%d-%H}-00-00-x.gz"


def _write(path: Path, *lines: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(gzip.compress("".join(f"{line}\n" for line in lines).encode()))


@pytest.fixture
def streams(tmp_path: Path) -> Path:
    """A data folder of Metric Streams files: two functions, one record a minute for 5 minutes."""
    data = tmp_path / "data"
    for day in range(_DAYS):
        for hour in range(_HOURS):
            moment = _START + pd.Timedelta(days=day, hours=hour)
            records = [
                _record(moment + pd.Timedelta(minutes=m), f, float(day * 100 + hour * 10 + m))
                for m in range(5)
                for f in ("a", "b")
            ]
            _write(data / "metrics" / _file(day, hour), *map(json.dumps, records))
    return data


@pytest.fixture
def decoded(monkeypatch: pytest.MonkeyPatch) -> list[list[str]]:
    """The files each decode was given (one list a decode), recorded."""
    calls: list[list[str]] = []
    decode = local_metrics._decode_streams

    def recorded(paths: list[Path], target: Path) -> None:
        calls.append(sorted(Path(p).name for p in paths))
        decode(paths, target)

    monkeypatch.setattr(local_metrics, "_decode_streams", recorded)
    columnar.clear_memo()
    yield calls
    columnar.clear_memo()


def _get(settings, start: str = "2026-09-10", end: str = "2026-09-13") -> pd.DataFrame:
    return metrics.get(
        {
            "s": "AWS/Lambda Errors FunctionName=a stat=Sum",
            "n": "AWS/Lambda Errors FunctionName=b stat=SampleCount",
            "avg": "AWS/Lambda Errors FunctionName=b stat=Average",
            "p": "AWS/Lambda Errors FunctionName=a stat=p99",
        },
        start,
        end,
        60,
        settings=settings,
    )


def _settings(data: Path, cache: Path | str, **values):
    return resolve(backend="local", data_dir=str(data), cache_dir=str(cache), **values)


def _copies(cache: Path) -> list[Path]:
    return sorted((cache / columnar.FOLDER).rglob("*.parquet"))


def test_answers_are_those_of_the_json_without_a_cache(streams: Path, tmp_path: Path) -> None:
    plain = _settings(streams, "off")
    cached = _settings(streams, tmp_path / "cache")
    expected = _get(plain)
    assert len(expected) == 4 * _DAYS * _HOURS * 5
    pd.testing.assert_frame_equal(_get(cached), expected)  # cold: the copies are made
    assert len(_copies(tmp_path / "cache")) == _DAYS  # one a day folder
    columnar.clear_memo()  # a new process reads the copies from disk
    pd.testing.assert_frame_equal(_get(cached), expected)
    for read in (metrics.list_metrics, metrics.describe_namespaces):
        pd.testing.assert_frame_equal(read(settings=cached), read(settings=plain))


def test_a_changed_file_makes_its_day_again_and_no_other(
    streams: Path, tmp_path: Path, decoded: list[list[str]]
) -> None:
    settings = _settings(streams, tmp_path / "cache")
    before = _get(settings)
    assert sorted(len(call) for call in decoded) == [_HOURS] * _DAYS  # each day whole, once
    decoded.clear()
    _get(settings)
    assert decoded == []  # warm: nothing decoded
    changed = streams / "metrics" / _file(1, 2)
    moment = _START + pd.Timedelta(days=1, hours=2)
    _write(changed, json.dumps(_record(moment, "a", 1000.0)))
    after = _get(settings)
    day = sorted(Path(_file(1, h)).name for h in range(_HOURS))
    assert decoded == [day]  # that day's files, once; the other days read from their copies
    assert len(_copies(tmp_path / "cache")) == _DAYS + 1  # the old copy waits for the cap
    assert after.value.sum() != before.value.sum()
    pd.testing.assert_frame_equal(after, _get(_settings(streams, "off")))


def test_a_window_reads_the_copies_of_its_days_only(
    streams: Path, tmp_path: Path, decoded: list[list[str]]
) -> None:
    settings = _settings(streams, tmp_path / "cache")
    window = _get(settings, "2026-09-11T01:00Z", "2026-09-11T02:00Z")
    assert len(decoded) == 1 and decoded[0][0].startswith("stream-1-2026-09-11")
    assert window.timestamp.min() == pd.Timestamp("2026-09-11T01:00Z")
    assert window.timestamp.max() < pd.Timestamp("2026-09-11T02:00Z")


def test_a_corrupt_file_is_named_and_never_cached(streams: Path, tmp_path: Path) -> None:
    bad = streams / "metrics" / _file(2, 1)
    bad.write_bytes(bad.read_bytes()[:-20])  # truncated
    settings = _settings(streams, tmp_path / "cache")
    with pytest.raises(UnreadableFileError) as raised:
        _get(settings)
    assert raised.value.path == str(bad)
    assert str(bad) in str(raised.value) and raised.value.problem
    cached = [pq.name for pq in _copies(tmp_path / "cache")]
    assert len(cached) < _DAYS + _HOURS  # the other days whole; nothing for the bad file
    with pytest.raises(UnreadableFileError, match="truncated"):
        _get(settings)  # named again on every read, not remembered as good


def test_a_malformed_record_is_named_by_line(streams: Path, tmp_path: Path) -> None:
    bad = streams / "metrics" / _file(0, 3)
    first = gzip.decompress(bad.read_bytes()).decode().splitlines()[0]
    _write(bad, first, json.dumps({**json.loads(first), "value": "many"}))
    settings = _settings(streams, tmp_path / "cache")
    with pytest.raises(UnreadableFileError, match="line 2") as raised:
        _get(settings)
    assert raised.value.path == str(bad)


def test_skip_notes_are_kept_and_the_rest_of_the_folder_is_read(
    streams: Path, tmp_path: Path
) -> None:
    bad = streams / "metrics" / _file(1, 0)
    bad.write_bytes(b"not gzip at all")
    cached = _settings(streams, tmp_path / "cache", skip_unreadable=True)
    plain = _settings(streams, "off", skip_unreadable=True)
    for attempt in range(2):  # cold, then warm: the note is made on every read
        frame = _get(cached)
        assert [s["file"] for s in frame.attrs["skipped"]] == [str(bad)], attempt
        pd.testing.assert_frame_equal(frame, _get(plain))
    assert len(frame) == 4 * (_DAYS * _HOURS - 1) * 5  # the bad hour only is missing
