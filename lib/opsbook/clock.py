"""Time in opsbook: the one clock, and the one way to read a moment or a duration.

Every library module asks :func:`now` or :func:`today` for the current time; nothing else reads the
wall clock, so a test freezes or moves opsbook's time in one place (time-machine patches what
:func:`now` reads) and a report run for another day sees that day everywhere.

``OPSBOOK_NOW`` (an ISO 8601 moment) pins the clock for every opsbook process that inherits it,
notebook kernels included: the tests pin it so that runbooks in their kernels and the moto server
in the test process agree on the date, and it reproduces what a report said at a past moment
(``OPSBOOK_NOW=2026-11-15T09:00Z opsbook report run daily``). Unset, opsbook reads the wall clock.

Moments given by users (notebook parameters, CLI arguments, API calls) are read by :func:`to_utc`:
ISO 8601 strings, dates, naive or aware datetimes and pandas timestamps; naive values are UTC.
Durations (``"15m"``, ``"2h"``, ``"7d"``) are read by :func:`to_duration`. Windows are half-open,
``[start, end)``, everywhere.

Examples
--------
>>> to_utc("2026-11-14T10:00", "start").isoformat()
'2026-11-14T10:00:00+00:00'
>>> to_utc("2026-11-14T10:00+01:00", "start").isoformat()
'2026-11-14T09:00:00+00:00'
>>> to_duration("90m", "since")
Timedelta('0 days 01:30:00')
>>> now().tzname()
'UTC'
"""

from __future__ import annotations

import datetime as dt
import os
import re
from typing import TypeAlias

import pandas as pd

from opsbook.errors import ConfigurationError

__all__ = ["PIN_VARIABLE", "Moment", "now", "to_duration", "to_utc", "today"]

#: The environment variable that pins :func:`now` to a moment.
PIN_VARIABLE = "OPSBOOK_NOW"

#: Anything opsbook accepts as a moment in time.
Moment: TypeAlias = str | dt.datetime | dt.date | pd.Timestamp

_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(s|sec|m|min|h|hr|d|w)\s*$", re.ASCII)
_UNITS = {"s": "s", "sec": "s", "m": "min", "min": "min", "h": "h", "hr": "h", "d": "D", "w": "W"}


def now() -> pd.Timestamp:
    """Return the current time as an aware UTC timestamp: the only read of the wall clock.

    Examples
    --------
    >>> now() <= now()
    True
    """
    pinned = os.environ.get(PIN_VARIABLE, "").strip()
    if pinned:
        return to_utc(pinned, PIN_VARIABLE)
    return pd.Timestamp(dt.datetime.now(dt.UTC))


def today() -> dt.date:
    """Return today's date in UTC, from :func:`now`.

    Examples
    --------
    >>> today() == now().date()
    True
    """
    return now().date()


def to_utc(
    value: Moment, name: str, *, error: type[Exception] = ConfigurationError
) -> pd.Timestamp:
    """Return ``value`` as an aware UTC timestamp, or raise ``error`` naming the parameter ``name``.

    Naive values and dates are taken as UTC. Numbers are refused rather than read as epoch
    nanoseconds: a user who passes ``1731600000`` means seconds, and a silent 1970 is worse
    than an error.

    Examples
    --------
    >>> to_utc("2026-11-14", "start").isoformat()
    '2026-11-14T00:00:00+00:00'
    >>> to_utc("yesterday", "start")
    Traceback (most recent call last):
    ...
    opsbook.errors.ConfigurationError: start 'yesterday' is not a time: use ISO 8601, e.g. '2026-11-14T14:00Z'
    """
    if isinstance(value, bool | int | float):
        raise error(
            f"{name} {value!r} is a number, not a time: use ISO 8601, e.g. '2026-11-14T14:00Z'"
        )
    try:
        stamp = pd.Timestamp(value)
    except (ValueError, TypeError, OverflowError):
        raise error(
            f"{name} {value!r} is not a time: use ISO 8601, e.g. '2026-11-14T14:00Z'"
        ) from None
    if pd.isna(stamp):
        raise error(f"{name} is missing: give an ISO 8601 time, e.g. '2026-11-14T14:00Z'")
    return stamp.tz_localize("UTC") if stamp.tzinfo is None else stamp.tz_convert("UTC")


def to_duration(value: str | pd.Timedelta | dt.timedelta, name: str) -> pd.Timedelta:
    """Return ``value`` (``"30s"``, ``"15m"``, ``"2h"``, ``"7d"``, ``"1w"``) as a positive duration.

    Examples
    --------
    >>> to_duration("2h", "since")
    Timedelta('0 days 02:00:00')
    >>> to_duration("0m", "since")
    Traceback (most recent call last):
    ...
    opsbook.errors.ConfigurationError: since '0m' is not a positive duration: use e.g. '15m', '2h' or '7d'
    """
    if isinstance(value, pd.Timedelta | dt.timedelta):
        delta = pd.Timedelta(value)
    else:
        match = _DURATION.match(str(value))
        if match is None:
            raise ConfigurationError(
                f"{name} {value!r} is not a duration: use e.g. '15m', '2h' or '7d'"
            )
        delta = pd.Timedelta(float(match.group(1)), unit=_UNITS[match.group(2)])
    if delta <= pd.Timedelta(0):
        raise ConfigurationError(
            f"{name} {value!r} is not a positive duration: use e.g. '15m', '2h' or '7d'"
        )
    return delta
