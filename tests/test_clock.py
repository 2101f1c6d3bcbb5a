"""The one clock: pinned by OPSBOOK_NOW, moved by time-machine, and the only reader of the wall clock."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pandas as pd
import pytest
import time_machine
from opsbook import clock
from opsbook.cost.spend import last_closed_month
from opsbook.errors import ConfigurationError
from opsbook.incident.window import resolve_window

LIB = Path(__file__).resolve().parents[1] / "lib" / "opsbook"
WALL_CLOCK = re.compile(r"datetime\.now|Timestamp\.now|date\.today|utcnow|Timestamp\.today")


@pytest.fixture(autouse=True)
def unpinned(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(clock.PIN_VARIABLE, raising=False)


def test_no_library_module_but_the_clock_reads_the_wall_clock() -> None:
    readers = sorted(
        str(path.relative_to(LIB))
        for path in LIB.rglob("*.py")
        if WALL_CLOCK.search(path.read_text()) and path.name != "clock.py"
    )
    assert readers == []


def test_now_is_aware_utc_and_follows_time_travel() -> None:
    with time_machine.travel(dt.datetime(2027, 2, 28, 23, 50, tzinfo=dt.UTC), tick=False):
        assert clock.now() == pd.Timestamp("2027-02-28T23:50Z")
        assert clock.today() == dt.date(2027, 2, 28)
    assert clock.now().tzname() == "UTC"


def test_opsbook_now_pins_the_clock_whatever_the_wall_clock_says(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv(clock.PIN_VARIABLE, "2026-11-15T09:00+01:00")
    with time_machine.travel(dt.datetime(2030, 1, 1, tzinfo=dt.UTC)):
        assert clock.now() == pd.Timestamp("2026-11-15T08:00Z")


@pytest.mark.parametrize("pin", ["tomorrow", "2026-13-01", "1731600000"])
def test_a_bad_pin_is_an_error_naming_the_variable(
    pin: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(clock.PIN_VARIABLE, pin)
    with pytest.raises(ConfigurationError, match="OPSBOOK_NOW"):
        clock.now()


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (1731600000, "is a number, not a time"),
        (2.5, "is a number, not a time"),
        (True, "is a number, not a time"),
        ("", "is missing"),
        ("2026-02-30", "is not a time"),
        ("last tuesday", "is not a time"),
    ],
)
def test_to_utc_names_the_parameter_and_refuses_what_is_not_a_time(
    value: object, message: str
) -> None:
    with pytest.raises(ConfigurationError, match=f"^start .*{message}"):
        clock.to_utc(value, "start")  # type: ignore[arg-type]


def test_to_utc_reads_dates_naive_and_aware_values_as_utc() -> None:
    assert clock.to_utc(dt.date(2026, 11, 14), "d") == pd.Timestamp("2026-11-14T00:00Z")
    assert clock.to_utc(dt.datetime(2026, 11, 14, 10), "d") == pd.Timestamp("2026-11-14T10:00Z")
    assert clock.to_utc("2026-11-14T10:00-05:00", "d") == pd.Timestamp("2026-11-14T15:00Z")


@pytest.mark.parametrize(
    ("text", "minutes"), [("30s", 0.5), ("15m", 15), ("2h", 120), ("7d", 10080), ("1w", 10080)]
)
def test_to_duration(text: str, minutes: float) -> None:
    assert clock.to_duration(text, "since") == pd.Timedelta(minutes=minutes)


@pytest.mark.parametrize("text", ["", "0m", "-5m", "5 parsecs", "m", "٣h"])
def test_to_duration_refuses_what_is_not_a_positive_duration(text: str) -> None:
    with pytest.raises(ConfigurationError, match="^since "):
        clock.to_duration(text, "since")


@pytest.mark.parametrize(
    ("moment", "closed"),
    [
        ("2026-12-31T23:50Z", "2026-11"),  # the last minutes of a year
        ("2027-01-01T00:10Z", "2026-12"),  # the first minutes of the next
        ("2027-03-01T00:00Z", "2027-02"),
        ("2028-03-01T12:00Z", "2028-02"),  # after a leap day
    ],
)
def test_the_last_closed_month_follows_the_clock_across_boundaries(
    moment: str, closed: str
) -> None:
    with time_machine.travel(moment, tick=False):
        assert last_closed_month() == closed


def test_the_default_incident_window_is_the_hour_before_now_across_a_year_end() -> None:
    with time_machine.travel("2027-01-01T00:20:30Z", tick=False):
        window = resolve_window()
    assert (window.start, window.end) == (
        pd.Timestamp("2026-12-31T23:20Z"),
        pd.Timestamp("2027-01-01T00:20Z"),
    )
