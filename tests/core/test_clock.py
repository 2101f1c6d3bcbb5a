"""The one clock: pinned by OPSBOOK_NOW, moved by time-machine, and the only reader of the wall clock."""

from __future__ import annotations

import datetime as dt
import re
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import time_machine
from opsbook import clock
from opsbook.cost.spend import last_closed_month
from opsbook.errors import ConfigurationError
from opsbook.incident.window import resolve_window

LIB = Path(__file__).resolve().parents[2] / "lib" / "opsbook"
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
        ("11/10/2026", "is not a time"),  # November or October? pandas guesses
        ("16/10/2026", "is not a time"),
        ("Nov 14 2026", "is not a time"),
        ("1731600000", "is not a time"),
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
    for text in (
        "2026-11-14 10:00:00+00:00",
        "2026-11-14T10:00:00.000Z",
        "2026-11-14T10Z",
        "2026-11-14T11:00:00.000+0100",
        "2026-11-14 10:00 UTC",
        " 2026-11-14T10:00 ",
    ):
        assert clock.to_utc(text, "d") == pd.Timestamp("2026-11-14T10:00Z"), text  # fmt: skip


@pytest.mark.parametrize(
    ("text", "minutes"),
    [
        ("30s", 0.5),
        ("15m", 15),
        ("2h", 120),
        ("7d", 10080),
        ("1w", 10080),
        # what pandas read before (incident baselines, SLO maths), without its 'd' warning
        ("1D", 1440),
        ("0.5d", 720),
        ("90min", 90),
        ("1h30m", 90),
        ("1h 30m", 90),
        ("2 hours", 120),
        ("1 day", 1440),
        ("1 week", 10080),
        ("1H", 60),
        ("500ms", 1 / 120),
        # ISO 8601 and what pandas prints for a Timedelta
        ("PT3H", 180),
        ("P1DT12H", 2160),
        ("P2W", 20160),
        ("pt0.5s", 1 / 120),
        ("1 days 02:00:00", 1560),
        ("1 day, 2:00:00", 1560),
        ("00:15:00", 15),
    ],
)
def test_to_duration(text: str, minutes: float) -> None:
    assert clock.to_duration(text, "since") == pd.Timedelta(minutes=minutes)


def test_to_duration_takes_durations_as_they_are_and_never_warns() -> None:
    assert clock.to_duration(dt.timedelta(hours=1), "d") == pd.Timedelta(hours=1)
    assert clock.to_duration(np.timedelta64(5, "m"), "d") == pd.Timedelta(minutes=5)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # pandas 3 deprecates "1d" (FutureWarning / Pandas4Warning)
        assert clock.to_duration("1d", "d") == pd.Timedelta(days=1)


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("", "is missing"),
        (None, "is missing"),
        ("0m", "is not a positive duration"),
        (dt.timedelta(0), "is not a positive duration"),
        ("-5m", "is not a duration"),
        ("5 parsecs", "unknown unit 'parsecs'"),
        ("m", "is not a duration"),
        ("٣h", "is not a duration"),
        ("10", "is not a duration"),  # pandas: 10 nanoseconds
        (10, "is a number, not a duration"),
        ("1M", "'M' is ambiguous"),  # pandas: an error; OpenSLO: a month
        ("P1M", "is not a duration"),  # pandas: one minute; ISO 8601: one month
        ("P1Y", "is not a duration"),
        ("PT", "is not a duration"),
        ("02:00", "is not a duration"),  # hours and minutes, or minutes and seconds?
    ],
)
def test_to_duration_refuses_what_is_not_a_positive_duration(value: object, message: str) -> None:
    with pytest.raises(ConfigurationError, match=f"^since .*{re.escape(message)}"):
        clock.to_duration(value, "since")  # type: ignore[arg-type]


def test_to_duration_raises_the_callers_error_type() -> None:
    class Mine(ConfigurationError):
        pass

    with pytest.raises(Mine, match="^lookback 'soon' is not a duration"):
        clock.to_duration("soon", "lookback", error=Mine)


def test_to_day_is_the_utc_day() -> None:
    assert clock.to_day(dt.date(2026, 11, 14), "d") == dt.date(2026, 11, 14)
    assert clock.to_day("2026-11-14", "d") == dt.date(2026, 11, 14)
    assert clock.to_day("2026-11-14T23:30-05:00", "d") == dt.date(2026, 11, 15)
    for text in ("2026-02-30", "16/10/2026"):
        with pytest.raises(ConfigurationError, match=f"^end '{text}' is not a day: use YYYY-MM-DD"):
            clock.to_day(text, "end")
    with pytest.raises(ConfigurationError, match="^end is missing"):
        clock.to_day(None, "end")  # type: ignore[arg-type]


# -- windows: half-open, [start, end) ------------------------------------------------------------


def test_window_is_half_open_utc_and_reads_any_moment() -> None:
    start, end = clock.window(dt.date(2026, 11, 14), "2026-11-14T12:00+02:00")
    assert (start, end) == (pd.Timestamp("2026-11-14T00:00Z"), pd.Timestamp("2026-11-14T10:00Z"))
    assert start.tzname() == end.tzname() == "UTC"


@pytest.mark.parametrize(
    ("start", "end", "shown"),
    [
        ("2026-11-14T10:00Z", "2026-11-14T09:00Z", "end 2026-11-14 09:00 UTC is not after start 2026-11-14 10:00 UTC"),
        ("2026-11-14T10:00Z", "2026-11-14T10:00Z", "end 2026-11-14 10:00 UTC is not after start 2026-11-14 10:00 UTC"),
        ("2026-11-14T10:00:30Z", "2026-11-14T10:00:30.25Z", None),
        ("2026-11-14T10:00:30.5Z", "2026-11-14T10:00:30Z", "end 2026-11-14 10:00:30 UTC is not after start 2026-11-14 10:00:30.5 UTC"),
    ],
)  # fmt: skip
def test_window_refuses_an_empty_or_reversed_window_naming_both_ends(
    start: str, end: str, shown: str | None
) -> None:
    if shown is None:
        assert clock.window(start, end)[1] - clock.window(start, end)[0] == pd.Timedelta("250ms")
        return
    with pytest.raises(ConfigurationError, match=f"^{re.escape(shown)}: .*swap start and end$"):
        clock.window(start, end)


def test_window_defaults_come_only_with_a_length() -> None:
    with time_machine.travel("2026-11-14T10:20:30Z", tick=False):
        assert clock.window(None, "", length="15m") == (
            pd.Timestamp("2026-11-14T10:05:30Z"),
            pd.Timestamp("2026-11-14T10:20:30Z"),
        )
        assert clock.window("", "2026-11-14T09:00Z", length=pd.Timedelta(hours=2))[0] == (
            pd.Timestamp("2026-11-14T07:00Z")
        )
    with pytest.raises(ConfigurationError, match="^end is missing"):
        clock.window("2026-11-14T09:00Z", "")
    with pytest.raises(ConfigurationError, match="^start is missing"):
        clock.window(None, "2026-11-14T09:00Z")


def test_window_names_the_parameters_and_raises_the_callers_error_type() -> None:
    class Mine(ConfigurationError):
        pass

    with pytest.raises(Mine, match="^--end 'noon' is not a time"):
        clock.window("2026-11-14T09:00Z", "noon", names=("--start", "--end"), error=Mine)
    with pytest.raises(Mine, match="^--end .* is not after --start .*swap --start and --end$"):
        clock.window(
            "2026-11-14T09:00Z", "2026-11-14T08:00Z", names=("--start", "--end"), error=Mine
        )


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
