"""Time in opsbook: the one clock, and the one way to read a moment, a duration or a window.

Every library module asks :func:`now` or :func:`today` for the current time; nothing else reads the
wall clock, so a test freezes or moves opsbook's time in one place (time-machine patches what
:func:`now` reads) and a report run for another day sees that day everywhere.

``OPSBOOK_NOW`` (an ISO 8601 moment) pins the clock for every opsbook process that inherits it,
notebook kernels included: the tests pin it so that runbooks in their kernels and the moto server
in the test process agree on the date, and it reproduces what a report said at a past moment
(``OPSBOOK_NOW=2026-11-15T09:00Z opsbook report run daily``). Unset, opsbook reads the wall clock.

Moments given by users (notebook parameters, CLI arguments, API calls) are read by :func:`to_utc`:
ISO 8601 strings, dates, naive or aware datetimes and pandas timestamps; naive values are UTC.
Durations (``"15m"``, ``"2h"``, ``"7d"``, ``"1h30m"``, ``"PT3H"``) are read by :func:`to_duration`.

Windows are half-open, ``[start, end)``, everywhere: an event at ``end`` belongs to the next
window, so consecutive windows neither overlap nor leave gaps. :func:`window` reads one. Where an
AWS API takes an inclusive end (Logs Insights StartQuery, FilterLogEvents, DescribeAlarmHistory),
the aws backend converts at the call.

Examples
--------
>>> to_utc("2026-11-14T10:00", "start").isoformat()
'2026-11-14T10:00:00+00:00'
>>> to_utc("2026-11-14T10:00+01:00", "start").isoformat()
'2026-11-14T09:00:00+00:00'
>>> to_duration("90m", "since")
Timedelta('0 days 01:30:00')
>>> window("2026-11-14T10:00Z", "")
Traceback (most recent call last):
...
opsbook.errors.ConfigurationError: end is missing: give an ISO 8601 time, e.g. '2026-11-14T14:00Z'
>>> now().tzname()
'UTC'
"""

from __future__ import annotations

import datetime as dt
import os
import re
from typing import TYPE_CHECKING, Any, TypeAlias

from opsbook.errors import ConfigurationError

# pandas is imported where it is used: ``import opsbook`` (which reads the clock) stays light.
if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "PIN_VARIABLE",
    "Duration",
    "Moment",
    "now",
    "to_day",
    "to_duration",
    "to_utc",
    "today",
    "window",
]

#: The environment variable that pins :func:`now` to a moment.
PIN_VARIABLE = "OPSBOOK_NOW"

if TYPE_CHECKING:
    #: Anything opsbook accepts as a moment in time.
    Moment: TypeAlias = str | dt.datetime | dt.date | pd.Timestamp
    #: Anything opsbook accepts as a duration.
    Duration: TypeAlias = str | dt.timedelta | pd.Timedelta


def __getattr__(name: str) -> Any:
    """Return the type aliases :data:`Moment` and :data:`Duration`, built when first asked for.

    Examples
    --------
    >>> from opsbook import clock
    >>> clock.Moment.__args__[-1].__name__, clock.Duration.__args__[-1].__name__
    ('Timestamp', 'Timedelta')
    """
    import pandas as pd

    aliases = {
        "Moment": str | dt.datetime | dt.date | pd.Timestamp,
        "Duration": str | dt.timedelta | pd.Timedelta,
    }
    if name not in aliases:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    globals().update(aliases)
    return aliases[name]


_EXAMPLE_TIME = "use ISO 8601, e.g. '2026-11-14T14:00Z'"
# ISO 8601 dates and times (a space for the T, as pandas prints them); "11/10/2026" is refused
# rather than guessed as November or October.
_ISO_TIME = re.compile(
    r"\s*\d{4}-\d{2}-\d{2}(?:[T ]\d{2}(?::\d{2}(?::\d{2}(?:[.,]\d+)?)?)?)?"
    r"\s*(?:Z|UTC|[+-]\d{2}(?::?\d{2})?)?\s*",
    re.ASCII | re.IGNORECASE,
)
_EXAMPLE_DURATION = "use e.g. '15m', '2h', '1h30m', '7d' or 'PT3H'"
_NUMBER = r"\d+(?:\.\d+)?"
# "15m", "1h30m", "2 hours 30 minutes": numbers with units, as pandas reads them.
_PARTS = re.compile(rf"(?:\s*{_NUMBER}\s*[a-z]+)+\s*", re.ASCII | re.IGNORECASE)
_PART = re.compile(rf"({_NUMBER})\s*([a-z]+)", re.ASCII | re.IGNORECASE)
# ISO 8601 without years and months, which have no fixed length: "PT3H", "P1DT12H", "P2W".
_ISO = re.compile(
    rf"\s*P(?:({_NUMBER})W)?(?:({_NUMBER})D)?"
    rf"(?:T(?:({_NUMBER})H)?(?:({_NUMBER})M)?(?:({_NUMBER})S)?)?\s*",
    re.ASCII | re.IGNORECASE,
)
_ISO_UNITS = ("W", "D", "h", "min", "s")
# What pandas prints for a Timedelta: "1 days 02:00:00", "0 days 00:15:00", "02:00:00".
_CLOCK_TEXT = re.compile(
    r"\s*(?:(\d+)\s*days?,?\s*)?(\d+):([0-5]\d):([0-5]\d(?:\.\d+)?)\s*", re.ASCII | re.IGNORECASE
)
_UNITS = {
    word: unit
    for unit, words in (
        ("ms", "ms msec msecs millisecond milliseconds"),
        ("s", "s sec secs second seconds"),
        ("min", "m min mins minute minutes"),
        ("h", "h hr hrs hour hours"),
        ("D", "d day days"),
        ("W", "w wk wks week weeks"),
    )
    for word in words.split()
}


def now() -> pd.Timestamp:
    """Return the current time as an aware UTC timestamp: the only read of the wall clock.

    Examples
    --------
    >>> now() <= now()
    True
    """
    import pandas as pd

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

    Naive values and dates are taken as UTC. Text is ISO 8601 (``2026-11-14``,
    ``2026-11-14T14:00Z``, ``2026-11-14 14:00:00+01:00``): ``11/10/2026`` is refused rather than
    guessed as November or October. Numbers are refused rather than read as epoch nanoseconds:
    a user who passes ``1731600000`` means seconds, and a silent 1970 is worse than an error.

    Examples
    --------
    >>> to_utc("2026-11-14", "start").isoformat()
    '2026-11-14T00:00:00+00:00'
    >>> to_utc("yesterday", "start")
    Traceback (most recent call last):
    ...
    opsbook.errors.ConfigurationError: start 'yesterday' is not a time: use ISO 8601, e.g. '2026-11-14T14:00Z'
    """
    import pandas as pd

    if isinstance(value, bool | int | float):
        raise error(f"{name} {value!r} is a number, not a time: {_EXAMPLE_TIME}")
    if isinstance(value, str) and value.strip() and not _ISO_TIME.fullmatch(value):
        raise error(f"{name} {value!r} is not a time: {_EXAMPLE_TIME}")
    try:
        stamp = pd.Timestamp(value)
    except (ValueError, TypeError, OverflowError):
        raise error(f"{name} {value!r} is not a time: {_EXAMPLE_TIME}") from None
    if pd.isna(stamp):
        raise error(f"{name} is missing: give an ISO 8601 time, e.g. '2026-11-14T14:00Z'")
    return stamp.tz_localize("UTC") if stamp.tzinfo is None else stamp.tz_convert("UTC")


def to_day(value: Moment, name: str, *, error: type[Exception] = ConfigurationError) -> dt.date:
    """Return the UTC day of ``value``: a date as given, else the UTC date of :func:`to_utc`.

    Examples
    --------
    >>> to_day("2026-11-14", "start"), to_day("2026-11-14T23:30-05:00", "start")
    (datetime.date(2026, 11, 14), datetime.date(2026, 11, 15))
    >>> to_day("14/11/2026", "start")
    Traceback (most recent call last):
    ...
    opsbook.errors.ConfigurationError: start '14/11/2026' is not a day: use YYYY-MM-DD, e.g. '2026-11-14'
    """
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value
    try:
        return to_utc(value, name, error=error).date()
    except error:
        if not isinstance(value, str) or not value.strip():
            raise
        raise error(f"{name} {value!r} is not a day: use YYYY-MM-DD, e.g. '2026-11-14'") from None


def to_duration(
    value: Duration, name: str, *, error: type[Exception] = ConfigurationError
) -> pd.Timedelta:
    """Return ``value`` as a positive duration, or raise ``error`` naming the parameter ``name``.

    Text is a number with a unit (``"30s"``, ``"15m"``, ``"2h"``, ``"7d"``, ``"1w"``; also
    ``"90min"``, ``"2 hours"``), several of them (``"1h30m"``), ISO 8601 (``"PT3H"``,
    ``"P1DT12H"``) or what pandas prints for a duration (``"1 days 02:00:00"``). Units are
    case-insensitive, except that a bare ``M`` is refused: it reads as months to some people
    and minutes to others, and months have no fixed length. Numbers without a unit are refused
    rather than read as nanoseconds.

    Examples
    --------
    >>> to_duration("2h", "since")
    Timedelta('0 days 02:00:00')
    >>> to_duration("PT1H30M", "since") == to_duration("1h30m", "since")
    True
    >>> to_duration("0m", "since")
    Traceback (most recent call last):
    ...
    opsbook.errors.ConfigurationError: since '0m' is not a positive duration: use e.g. '15m', '2h', '1h30m', '7d' or 'PT3H'
    """
    import numpy as np
    import pandas as pd

    if isinstance(value, bool | int | float):
        raise error(f"{name} {value!r} is a number, not a duration: add a unit, e.g. '15m' or '2h'")
    if value is None or (isinstance(value, str) and not value.strip()):
        raise error(f"{name} is missing: give a duration, e.g. '15m', '2h' or '7d'")
    if isinstance(value, dt.timedelta | np.timedelta64):
        delta = pd.Timedelta(value)
        if pd.isna(delta):
            raise error(f"{name} is missing: give a duration, e.g. '15m', '2h' or '7d'")
    else:
        delta = _read_duration(str(value), name, error)
    if delta <= pd.Timedelta(0):
        raise error(f"{name} {value!r} is not a positive duration: {_EXAMPLE_DURATION}")
    return delta


def _read_duration(text: str, name: str, error: type[Exception]) -> pd.Timedelta:
    import pandas as pd

    if _PARTS.fullmatch(text):
        delta = pd.Timedelta(0)
        for number, unit in _PART.findall(text):
            if unit == "M":
                raise error(
                    f"{name} {text!r}: 'M' is ambiguous (months have no fixed length): "
                    "write minutes as 'm' or 'min', days as 'd'"
                )
            if unit.lower() not in _UNITS:
                raise error(f"{name} {text!r}: unknown unit {unit!r}; {_EXAMPLE_DURATION}")
            delta += pd.Timedelta(float(number), unit=_UNITS[unit.lower()])
        return delta
    iso = _ISO.fullmatch(text)
    if iso and any(iso.groups()):
        return sum(
            (
                pd.Timedelta(float(n), unit=u)
                for n, u in zip(iso.groups(), _ISO_UNITS, strict=True)
                if n
            ),
            pd.Timedelta(0),
        )
    shown = _CLOCK_TEXT.fullmatch(text)
    if shown:
        days, hours, minutes, seconds = shown.groups()
        return pd.Timedelta(
            days=int(days or 0), hours=int(hours), minutes=int(minutes), seconds=float(seconds)
        )
    raise error(f"{name} {text!r} is not a duration: {_EXAMPLE_DURATION}")


def window(
    start: Moment | None,
    end: Moment | None,
    *,
    length: Duration | None = None,
    names: tuple[str, str] = ("start", "end"),
    error: type[Exception] = ConfigurationError,
) -> tuple[pd.Timestamp, pd.Timestamp]:
    """Return the half-open window ``[start, end)`` as aware UTC timestamps.

    Parameters
    ----------
    start, end
        Moments as :func:`to_utc` reads them.
    length
        When given, a missing ``end`` (``None`` or empty text) is :func:`now` and a missing
        ``start`` is ``length`` before the end; without it both are required.
    names
        The parameters' names, for messages (e.g. ``("--start", "--end")``).
    error
        The exception raised (a :class:`~opsbook.errors.ConfigurationError` subclass).

    Raises
    ------
    opsbook.errors.ConfigurationError
        (or ``error``) naming the parameter that is missing or not a time, or both ends when
        the end is not after the start.

    Examples
    --------
    >>> [t.isoformat() for t in window("2026-11-14T10:00Z", "2026-11-14T11:00Z")]
    ['2026-11-14T10:00:00+00:00', '2026-11-14T11:00:00+00:00']
    >>> window("2026-11-14T10:00Z", "2026-11-14T11:00+01:00")
    Traceback (most recent call last):
    ...
    opsbook.errors.ConfigurationError: end 2026-11-14 10:00 UTC is not after start 2026-11-14 10:00 UTC: a window [start, end) ending at or before the start is empty; swap start and end
    >>> window("", "2026-11-14T11:00Z", length="15m")[0].isoformat()
    '2026-11-14T10:45:00+00:00'
    """
    first_name, last_name = names
    span = None if length is None else to_duration(length, "length", error=error)
    if span is not None and _missing(end):
        last = now()
    else:
        last = to_utc(end, last_name, error=error)  # type: ignore[arg-type]
    if span is not None and _missing(start):
        first = last - span
    else:
        first = to_utc(start, first_name, error=error)  # type: ignore[arg-type]
    if last <= first:
        raise error(
            f"{last_name} {_show(last)} is not after {first_name} {_show(first)}: a window "
            f"[start, end) ending at or before the start is empty; swap {first_name} and {last_name}"
        )
    return first, last


def _missing(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _show(stamp: pd.Timestamp) -> str:
    """Return ``stamp`` as ``2026-11-14 10:00 UTC``, with seconds and fractions only if any."""
    text = stamp.strftime("%Y-%m-%d %H:%M:%S.%f").rstrip("0").rstrip(".")
    return (text[:-3] if text.endswith(":00") and len(text) == 19 else text) + " UTC"
