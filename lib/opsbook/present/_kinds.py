"""What a value means and how people read it: kinds, and the one table of rules naming them.

A column or a recorded value has a *kind* (money, percent, count, duration, ...), written as a
short spec: the kind's name, an optional unit after a colon, an optional ``+`` for a signed
change (``"money"``, ``"duration:min"``, ``"percent:points+"``). :data:`RULES` infers it from a
name; values the rules cannot place fall back on their type (an integer is a count, a timestamp a
datetime). :func:`format_value` writes any value for people: thousands separators, the currency
symbol, no ``.0`` on counts, never scientific notation, and ``—`` for what is missing.

Examples
--------
>>> kind_of("unblended_cost").spec, kind_of("impact_pct").spec, kind_of("restore_minutes").spec
('money', 'percent:points', 'duration:min')
>>> format_value(283205.76, "money"), format_value(216618302.0, "count")
('$283,205.76', '216,618,302')
>>> format_value(0.99935, "percent"), format_value(95.5, "duration:min")
('99.935%', '1 h 36 min')
>>> format_value(None, "money"), format_value(float("nan"), "count")
('—', '—')
"""

from __future__ import annotations

import datetime as dt
import math
import numbers
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

__all__ = ["MISSING", "RULES", "Kind", "format_value", "kind_of", "to_kind"]

#: What a missing value (None, NaN, NaT, pandas NA) reads as.
MISSING = "—"

#: Name patterns (searched in the lower-cased name, first match wins) and the kind they mean.
#: A numeric kind applies only to numbers, a time kind only to times: a column of alarm names
#: called ``alarms`` stays text. Anything unmatched falls back on its values' type.
RULES: tuple[tuple[str, str], ...] = (
    # identifiers and labels, whatever their dtype (an account id is not a count)
    (r"(^|_)(id|ids|arn|arns|version|versions|name|names|code|account|region)$", "text"),
    (r"(^|_)change_pct$", "percent:points+"),
    (r"(^|_)(pct|percent)$", "percent:points"),  # already ×100: 12.5 means 12.5 %
    (r"(^|_)(share|coverage|utilisation|utilization|attainment|ratio|target)$", "percent"),
    (r"(^|_)(failure_rate|budget_remaining|budget_consumed|budget_share)$", "percent"),
    (r"(^|_)(change|delta)$", "money+"),
    (r"(^|_)(usd|cost|costs|spend|savings|price|contribution|impact|fee)(_|$)|^usd_", "money"),
    (r"(^|_)(actual|expected|forecast|actual_to_date)$", "money"),
    (r"(^|_)ms$", "duration:ms"),
    (r"(^|_)(s|seconds)$", "duration:s"),
    (r"(^|_)(minutes|min)$", "duration:min"),
    (r"(^|_)hours(_|$)|_in_hours$", "duration:h"),
    (r"(^|_)bytes$", "size:B"),
    (r"(^|_)gb$", "size:GB"),
    (r"(^|_)per_(second|minute|hour|day|week|month|unit|million)$", "number"),
    (r"(^|_)(day|date|week|as_of)$", "date"),
    (r"(_at|_time|timestamp|since|started|restored|created|updated|first|last)$", "datetime"),
    (r"(^|_)(first|last)_(event|usage)$|^(start|end)$", "datetime"),
    (
        r"(^|_)(count|events|requests|errors|errors_5xx|invocations|items|line_items|lines)$",
        "count",
    ),
    (
        r"(^|_)(days|streams|datapoints|metrics|series|deployments|incidents|accounts|services)(_|$)",
        "count",
    ),
    (r"(^|_)(failed_changes|found|alarms|ongoing|periods)(_|$)", "count"),
)
_COMPILED = tuple((re.compile(pattern), spec) for pattern, spec in RULES)
_NUMERIC = {"money", "percent", "count", "number", "duration", "size"}
_TIMES = {"date", "datetime"}
_SYMBOLS = {"USD": "$", "EUR": "€", "GBP": "£", "JPY": "¥", "CNY": "¥", "INR": "₹"}
_SECONDS = {"ms": 0.001, "s": 1.0, "min": 60.0, "h": 3600.0, "d": 86400.0}
# Sizes count in powers of 1,024 with AWS's names (a billed "GB" is 2^30 bytes).
_BYTES = {"B": 1, "KB": 2**10, "MB": 2**20, "GB": 2**30, "TB": 2**40}


@dataclass(frozen=True)
class Kind:
    """A kind of value: its name, its unit and whether it is a signed change.

    Examples
    --------
    >>> Kind.parse("duration:min").format(45)
    '45 min'
    >>> Kind.parse("money+").format(1088.02)
    '+$1,088.02'
    """

    name: str
    unit: str = ""
    signed: bool = False

    @classmethod
    def parse(cls, spec: str | Kind) -> Kind:
        """Return the kind a spec such as ``"money"``, ``"size:GB"`` or ``"percent:points+"`` names."""
        if isinstance(spec, Kind):
            return spec
        text = spec.strip()
        signed = text.endswith("+")
        name, _, unit = text.rstrip("+").partition(":")
        if name not in _FORMATS:
            raise ValueError(f"unknown kind {spec!r}: use one of {', '.join(sorted(_FORMATS))}")
        return cls(name, unit or _DEFAULT_UNITS.get(name, ""), signed)

    @property
    def spec(self) -> str:
        """The kind as text, as :meth:`parse` reads it (a default unit left out)."""
        unit = f":{self.unit}" if self.unit and self.unit != _DEFAULT_UNITS.get(self.name) else ""
        return f"{self.name}{unit}{'+' if self.signed else ''}"

    @property
    def numeric(self) -> bool:
        """Whether the kind formats numbers (right-aligned in tables)."""
        return self.name in _NUMERIC

    def format(self, value: Any) -> str:
        """Return ``value`` written for people (``—`` when missing)."""
        if is_missing(value):
            return MISSING
        if isinstance(value, (list, tuple, set, np.ndarray)):
            return ", ".join(self.format(item) for item in value)
        if isinstance(value, Mapping):
            # a key the rules name (``days_covered``, ``change``) keeps its own kind
            return "; ".join(f"{k}: {(_ruled(str(k), v) or self).format(v)}"
                             for k, v in value.items())  # fmt: skip
        try:
            return _FORMATS[self.name](self, value)
        except (TypeError, ValueError, OverflowError):
            return str(value)


def is_missing(value: Any) -> bool:
    """Return whether ``value`` is a missing scalar (None, NaN, NaT, pandas NA).

    Examples
    --------
    >>> is_missing(None), is_missing(pd.NaT), is_missing(0.0), is_missing([1])
    (True, True, False, False)
    """
    if value is None:
        return True
    if isinstance(value, (list, tuple, set, dict, np.ndarray)):
        return False
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def to_kind(spec: str | Kind | None) -> Kind | None:
    """Return the :class:`Kind` a spec names (``None`` stays ``None``)."""
    return None if spec is None else Kind.parse(spec)


def kind_of(name: str, values: Any = None) -> Kind:
    """Return the kind of a column or recorded value from its name, else from its values.

    Parameters
    ----------
    name
        Column or record name; searched by :data:`RULES`.
    values
        A Series, a list or a scalar: it decides when no rule matches, and a numeric rule is
        only taken for numbers (a time rule only for times).

    Examples
    --------
    >>> kind_of("cost").spec, kind_of("alarms", ["a", "b"]).spec, kind_of("misc", 3).spec
    ('money', 'text', 'count')
    >>> kind_of("end", pd.Series(pd.to_datetime(["2026-11-14"]))).spec
    'datetime'
    """
    sample = _sample(values)
    return _ruled(name, values, sample) or _by_value(values, sample)


def _ruled(name: str, values: Any, sample: Any = None) -> Kind | None:
    """Return the kind the first rule matching ``name`` gives, if the values fit it."""
    sample = _sample(values) if sample is None else sample
    lowered = str(name).lower()
    for pattern, spec in _COMPILED:
        if pattern.search(lowered):
            kind = Kind.parse(spec)
            return kind if sample is _NOTHING or _fits(kind, sample) else None
    return None


_NOTHING = object()


def _sample(values: Any) -> Any:
    """Return a non-missing value standing for ``values`` (``_NOTHING`` when there is none)."""
    if values is None:
        return _NOTHING
    if isinstance(values, pd.Series):
        present = values.dropna()
        return present.iloc[0] if len(present) else _NOTHING
    if isinstance(values, Mapping):
        return _sample(list(values.values()))
    if isinstance(values, (list, tuple, set, np.ndarray)):
        # a number speaks for a mixed list or mapping ({"month": "2026-11", "low": 87182.29})
        present = [_sample(v) for v in values if not is_missing(v)]
        numbers = [v for v in present if _is_number(v)]
        return (numbers or present or [_NOTHING])[0]
    return _NOTHING if is_missing(values) else values


def _fits(kind: Kind, sample: Any) -> bool:
    if kind.name in _NUMERIC:
        return _is_number(sample)
    if kind.name in _TIMES:
        return isinstance(sample, (dt.date, np.datetime64)) or _parses_as_time(sample)
    return True


def _is_number(value: Any) -> bool:
    return isinstance(value, numbers.Number) and not isinstance(value, bool)


def _parses_as_time(value: Any) -> bool:
    if not isinstance(value, str) or not re.match(r"\d{4}-\d{2}-\d{2}", value):
        return False
    try:
        pd.Timestamp(value)
    except (ValueError, TypeError):
        return False
    return True


def _by_value(values: Any, sample: Any) -> Kind:
    dtype = getattr(values, "dtype", None)
    if dtype is not None:
        if pd.api.types.is_bool_dtype(dtype):
            return Kind("flag")
        if pd.api.types.is_datetime64_any_dtype(dtype):
            return Kind("datetime")
        if pd.api.types.is_timedelta64_dtype(dtype):
            return Kind("duration", "s")
        if pd.api.types.is_integer_dtype(dtype):
            return Kind("count")
        if pd.api.types.is_float_dtype(dtype):
            return Kind("number")
    if isinstance(sample, (bool, np.bool_)):
        return Kind("flag")
    if isinstance(sample, (numbers.Integral, np.integer)):
        return Kind("count")
    if _is_number(sample):
        return Kind("number")
    if isinstance(sample, (dt.datetime, pd.Timestamp, np.datetime64)):
        return Kind("datetime")
    if isinstance(sample, dt.date):
        return Kind("date")
    if isinstance(sample, (dt.timedelta, pd.Timedelta)):
        return Kind("duration", "s")
    return Kind("text")


def format_value(value: Any, kind: str | Kind | None = None, name: str = "") -> str:
    """Return ``value`` written for people, as ``kind`` (inferred from ``name`` when ``None``).

    Examples
    --------
    >>> format_value(-0.100899, "percent"), format_value(2.092239e05, "size:B")
    ('-10.1%', '204.3 KB')
    >>> format_value({"Archive": 1431.25, "General Purpose": 4812.15}, "money")
    'Archive: $1,431.25; General Purpose: $4,812.15'
    >>> format_value(pd.Timestamp("2026-11-14T13:58Z")), format_value(3.0e-7, "number")
    ('2026-11-14 13:58 UTC', '0.0000003')
    """
    chosen = Kind.parse(kind) if kind is not None else kind_of(name, value)
    return chosen.format(value)


# --- formatters, one per kind -------------------------------------------------------------


def _sign(kind: Kind, value: float) -> str:
    if value < 0:
        return "-"
    return "+" if kind.signed and value > 0 else ""


def _decimal(value: float, places: int) -> str:
    """Return ``value`` with thousands separators and ``places`` decimals."""
    return f"{value:,.{places}f}"


def _plain(value: float) -> str:
    """Return a number without exponent: integers whole, others to ~3 significant digits."""
    size = abs(value)
    if math.isinf(value):
        return "∞" if value > 0 else "-∞"
    if size == round(size) and size < 1e15:
        return f"{size:,.0f}"
    if size >= 100:
        return f"{size:,.1f}"
    if size >= 1:
        return f"{size:,.2f}"
    places = min(12, max(3, 2 - math.floor(math.log10(size)) if size else 3))
    return f"{size:.{places}f}".rstrip("0").rstrip(".") or "0"


def _short(value: float) -> str:
    """Return ``value`` with at most one decimal, none when whole: ``1.2``, ``45``."""
    return f"{value:,.1f}".removesuffix(".0")


def _money(kind: Kind, value: Any) -> str:
    amount = float(value)
    symbol = _SYMBOLS.get(kind.unit)
    size = abs(amount)
    # cents for amounts; a unit price (a few cents per GB) keeps its significant digits
    digits = _decimal(size, 2) if size >= 1 or size == 0 else _plain(size)
    if len(digits.partition(".")[2]) == 1:
        digits += "0"
    body = f"{symbol}{digits}" if symbol else f"{digits} {kind.unit}"
    return _sign(kind, amount) + body


def _percent(kind: Kind, value: Any) -> str:
    points = float(value) * (1 if kind.unit == "points" else 100)
    size = abs(points)
    if math.isinf(size):
        return _sign(kind, points) + "∞%"
    places = 1
    # more places near the ends, so 99.935 % never reads as 100 % nor 0.004 % as 0 %
    if 99 < size < 100:
        places = min(4, 1 - math.floor(math.log10(100 - size)))
    elif 0 < size < 0.1:
        places = min(4, 1 - math.floor(math.log10(size)))
    text = f"{size:,.{places}f}"
    while places > 1 and text.endswith("0"):
        text, places = text[:-1], places - 1
    return f"{_sign(kind, points)}{text}%"


def _count(kind: Kind, value: Any) -> str:
    number = float(value)
    if math.isinf(number):
        return _plain(number)
    if number != round(number):
        return _sign(kind, number) + _plain(abs(number))
    return f"{_sign(kind, number)}{abs(number):,.0f}"


def _number(kind: Kind, value: Any) -> str:
    number = float(value)
    return _sign(kind, number) + _plain(abs(number))


def _duration(kind: Kind, value: Any) -> str:
    if isinstance(value, (dt.timedelta, pd.Timedelta, np.timedelta64)):
        seconds = pd.Timedelta(value).total_seconds()
    else:
        seconds = float(value) * _SECONDS.get(kind.unit or "s", 1.0)
    sign = _sign(kind, seconds)
    seconds = abs(seconds)
    if math.isinf(seconds):
        return sign + "∞"
    if kind.unit == "ms" and seconds < 10:
        return f"{sign}{seconds * 1000:,.0f} ms"
    if seconds < 1:
        return f"{sign}{seconds * 1000:,.0f} ms"
    if seconds < 60:
        return f"{sign}{_short(seconds)} s"
    minutes = seconds / 60
    if minutes < 60:
        return f"{sign}{_short(minutes if minutes < 10 else round(minutes))} min"
    hours, rest = divmod(round(minutes), 60)
    if hours < 48:
        return f"{sign}{hours} h" + (f" {rest} min" if rest else "")
    days, hours = divmod(round(minutes / 60), 24)
    return f"{sign}{days:,} d" + (f" {hours} h" if hours else "")


def _size(kind: Kind, value: Any) -> str:
    size = float(value) * _BYTES.get(kind.unit or "B", 1)
    sign = _sign(kind, size)
    size = abs(size)
    for unit in ("TB", "GB", "MB", "KB"):
        if size >= _BYTES[unit]:
            return f"{sign}{size / _BYTES[unit]:,.1f} {unit}"
    return f"{sign}{size:,.0f} B"


def _datetime(kind: Kind, value: Any) -> str:
    stamp = pd.Timestamp(value)
    if stamp.tzinfo is not None:
        stamp = stamp.tz_convert("UTC")
    if kind.name == "date" or (stamp.tzinfo is None and stamp == stamp.normalize()):
        return f"{stamp:%Y-%m-%d}"
    text = f"{stamp:%Y-%m-%d %H:%M:%S}" if stamp.second else f"{stamp:%Y-%m-%d %H:%M}"
    return text + (" UTC" if stamp.tzinfo is not None else "")


def _flag(kind: Kind, value: Any) -> str:
    return "yes" if bool(value) else "no"


def _text(kind: Kind, value: Any) -> str:
    if isinstance(value, float) and value == round(value):
        return f"{value:.0f}"
    return str(value)


_FORMATS: dict[str, Callable[[Kind, Any], str]] = {
    "money": _money,
    "percent": _percent,
    "count": _count,
    "number": _number,
    "duration": _duration,
    "size": _size,
    "date": _datetime,
    "datetime": _datetime,
    "flag": _flag,
    "text": _text,
}
_DEFAULT_UNITS = {"money": "USD", "percent": "fraction", "duration": "s", "size": "B"}
