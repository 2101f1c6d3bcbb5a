from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from opsbook.errors import ConfigurationError
from opsbook.runner._suites import expand, load_suites


@pytest.mark.parametrize(
    ("text", "day", "expected"),
    [
        pytest.param("${run_date}", dt.date(2026, 3, 1), "2026-03-01", id="run-date"),
        pytest.param("${run_date-1d}", dt.date(2026, 3, 1), "2026-02-28", id="yesterday"),
        pytest.param("${run_date + 2d}", dt.date(2024, 2, 28), "2024-03-01", id="leap"),
        pytest.param("${month-1}", dt.date(2026, 1, 31), "2025-12", id="previous-month"),
        pytest.param("${month}", dt.date(2026, 1, 31), "2026-01", id="month"),
        pytest.param("${month_start-3}", dt.date(2026, 2, 10), "2025-11-01", id="quarter-back"),
        pytest.param("${week_start}", dt.date(2026, 11, 22), "2026-11-16", id="monday"),
        pytest.param("${week_start-1}", dt.date(2026, 11, 16), "2026-11-09", id="last-monday"),
        pytest.param("${month-1}..${month}", dt.date(2026, 5, 5), "2026-04..2026-05", id="two"),
        pytest.param("no tokens", dt.date(2026, 5, 5), "no tokens", id="plain"),
    ],
)
def test_relative_dates(text: str, day: dt.date, expected: str) -> None:
    assert expand(text, day) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        pytest.param("${yesterday}", "unknown date token", id="unknown"),
        pytest.param("${month-1d}", "only run_date takes a day offset", id="day-on-month"),
        pytest.param("${run_date", "malformed date token", id="unclosed"),
    ],
)
def test_bad_tokens_are_errors(text: str, message: str) -> None:
    with pytest.raises(ConfigurationError, match=message):
        expand(text, dt.date(2026, 1, 1))


def test_suites_file_is_checked_when_loaded(tmp_path: Path) -> None:
    (tmp_path / "opsbook.toml").write_text("")
    cases = {
        "nightly: [1, 2]": "needs a list of notebooks",
        "nightly:\n  notebooks: [nb.ipynb]": "each notebook needs a path",
        "nightly:\n  notebooks:\n    - {path: a.ipynb, timeout: 0}": "timeout must be whole seconds",
        "nightly:\n  notebooks:\n    - {path: a.ipynb, parameters: {m: '${nope}'}}": "unknown date token",
        "nightly: [": "not valid YAML",
    }
    for text, message in cases.items():
        (tmp_path / "suites.yaml").write_text(text)
        with pytest.raises(ConfigurationError, match=message):
            load_suites(tmp_path)


def test_dates_in_yaml_stay_strings(tmp_path: Path) -> None:
    (tmp_path / "opsbook.toml").write_text("")
    (tmp_path / "suites.yaml").write_text(
        "daily:\n  notebooks:\n    - path: a.ipynb\n      parameters: {start: 2026-11-01, n: 3}\n"
    )
    entry = load_suites(tmp_path)["daily"].notebooks[0]
    assert entry.parameters == {"start": "2026-11-01", "n": 3}
    assert entry.timeout == 600
