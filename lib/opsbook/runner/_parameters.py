"""Notebook parameters: read from a command line, and checked by one set of rules.

:func:`parse_parameter` reads ``name=value`` as the ``opsbook`` command and the magics take it.
Values are typed as papermill's command line types them: ``true``/``false`` are booleans,
``none``/``null`` is ``None``, whole numbers (ASCII digits) and decimals are numbers, anything
else is text. Quotes keep a value text (``account='012345678901'``).

:func:`checked` is the first line of every notebook's setup cell: papermill only injects values
and never checks them, so the notebook checks its own parameters against their declared types
(``top: int = 10``) and the rule table :data:`RULES`, by name (``month`` is ``YYYY-MM``,
``as_of`` an ISO 8601 time, ``accounts`` 12-digit ids, ``top`` a whole number from 1, ...).
:func:`check_values` is the same check for ``opsbook report run -p``, suites and the magics, so
every path gives the same message: ``parameter top must be a whole number from 1 to 1000, got
'ten' (str)``. Values are converted where that is exact and nothing else: text ``"7"`` for an
``int``; an account id papermill read as a number (``-p accounts 012345678901`` arrives as
``12345678901``) is padded back to its 12 digits; ``-p functions orders-worker`` becomes
``["orders-worker"]`` for a ``list``, never its characters.

Examples
--------
>>> parse_parameter("month=2026-09"), parse_parameter("limit=10")
(('month', '2026-09'), ('limit', 10))
>>> check_values({"top": "7", "accounts": 12345678901}, {"top": "int", "accounts": "str"})
{'top': 7, 'accounts': '012345678901'}
>>> check_values({"top": 2.5}, {"top": "int"})
Traceback (most recent call last):
...
opsbook.errors.ConfigurationError: parameter top must be a whole number from 1 to 1000, got 2.5 (float)
"""

from __future__ import annotations

import functools
import inspect
import math
import re
from collections.abc import Callable, Mapping, MutableMapping
from typing import Any, NamedTuple, TypeVar

from opsbook import clock
from opsbook.errors import ConfigurationError

__all__ = ["RETENTION_DAYS", "RULES", "Rule", "check_value", "check_values", "checked",
           "checks_arguments", "parse_parameter"]  # fmt: skip

_F = TypeVar("_F", bound=Callable[..., Any])

#: Days CloudWatch keeps metrics (at one-hour resolution): no parameter window is longer.
RETENTION_DAYS = 455

_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_INTEGER = re.compile(r"[+-]?[0-9]+")
_DECIMAL = re.compile(r"[+-]?(?:[0-9]+\.[0-9]*|\.[0-9]+|[0-9]+(?=[eE]))(?:[eE][+-]?[0-9]+)?")
_CONSTANTS = {"true": True, "false": False, "none": None, "null": None}
_ACCOUNT = re.compile(r"[0-9]{12}")
_MONTH = re.compile(r"[0-9]{4}-(?:0[1-9]|1[0-2])")
_ITEM = re.compile(r"[^,]+")


def parse_parameter(text: str, option: str = "-p") -> tuple[str, Any]:
    """Return ``(name, value)`` from ``name=value``, the value typed; ``option`` names the flag.

    Only ASCII digits make a number: ``top=٣`` stays text, for :func:`check_values` to refuse.

    Raises
    ------
    opsbook.errors.ConfigurationError
        When ``text`` is not ``name=value`` with a Python identifier as the name, quoting it.

    Examples
    --------
    >>> parse_parameter("ok=true"), parse_parameter("id='0042'"), parse_parameter("x=1.5")
    (('ok', True), ('id', '0042'), ('x', 1.5))
    >>> parse_parameter("2026-09", "--param")
    Traceback (most recent call last):
    ...
    opsbook.errors.ConfigurationError: --param '2026-09' is not name=value: write e.g. --param month=2026-09
    """
    name, equals, value = text.partition("=")
    if not equals or not _NAME.fullmatch(name):
        raise ConfigurationError(
            f"{option} {text!r} is not name=value: write e.g. {option} month=2026-09"
        )
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
        return name, value[1:-1]
    if value.lower() in _CONSTANTS:
        return name, _CONSTANTS[value.lower()]
    if _INTEGER.fullmatch(value):
        return name, int(value)
    if _DECIMAL.fullmatch(value):
        return name, float(value)
    return name, value


class Rule(NamedTuple):
    """How a parameter is checked: what it ``accepts`` (for messages) and ``convert(value)``.

    ``convert`` returns the value to use or raises :class:`ValueError` when it is not accepted;
    a :class:`~opsbook.errors.ConfigurationError` it raises (from :mod:`opsbook.clock`) is kept.
    """

    accepts: str
    convert: Callable[[Any], Any]


def _whole(least: int | None, most: int | None = None) -> Rule:
    """Return the rule for a whole number in ``[least, most]`` (``2.5``, ``"٣"``, ``True`` refused)."""

    def convert(value: Any) -> int:
        number = value
        if isinstance(value, str) and _INTEGER.fullmatch(value.strip()):
            number = int(value)
        elif isinstance(value, float) and value.is_integer():
            number = int(value)
        if isinstance(number, bool) or not isinstance(number, int):
            raise ValueError(value)
        if (least is not None and number < least) or (most is not None and number > most):
            raise ValueError(value)
        return number

    if least is None:
        return Rule("a whole number", convert)
    return Rule(f"a whole number from {least}" + (f" to {most}" if most else ""), convert)


def _amount(value: Any) -> float:
    number = value
    if isinstance(value, str) and (
        _INTEGER.fullmatch(value.strip()) or _DECIMAL.fullmatch(value.strip())
    ):
        number = float(value)
    if isinstance(number, bool) or not isinstance(number, int | float):
        raise ValueError(value)
    if not math.isfinite(number) or number < 0:
        raise ValueError(value)
    return float(number)


def _at_most(most: float) -> Callable[[Any], float]:
    """Return a converter for a number from 0 to ``most``."""

    def convert(value: Any) -> float:
        number = _amount(value)
        if number > most:
            raise ValueError(value)
        return number

    return convert


def _text(value: Any) -> str:
    if not isinstance(value, str):
        raise ValueError(value)
    return value


def _flag(value: Any) -> bool:
    if isinstance(value, str) and value.strip().lower() in ("true", "false"):
        return value.strip().lower() == "true"
    if not isinstance(value, bool):
        raise ValueError(value)
    return value


def _one_of(*allowed: str) -> Rule:
    def convert(value: Any) -> str:
        if not isinstance(value, str) or value.strip() not in allowed:
            raise ValueError(value)
        return value.strip()

    return Rule(" or ".join(repr(a) for a in allowed), convert)


def _items(value: Any) -> list[str]:
    """Comma-separated text or a list of texts as a list: ``"a, b"`` -> ``["a", "b"]``."""
    if isinstance(value, str):
        items = _ITEM.findall(value)
    elif isinstance(value, list | tuple) and all(isinstance(item, str) for item in value):
        items = list(value)
    else:
        raise ValueError(value)
    return [item.strip() for item in items if item.strip()]


def _names(value: Any) -> str:
    return ",".join(_items(value))


def _account(value: Any) -> str:
    # papermill reads -p account 012345678901 as the number 12345678901: an account id is
    # always 12 digits, so padding with zeros gives back exactly the id that was typed
    if isinstance(value, int) and not isinstance(value, bool) and 0 < value < 10**12:
        return f"{value:012d}"
    if isinstance(value, str) and (not value.strip() or _ACCOUNT.fullmatch(value.strip())):
        return value.strip()
    raise ValueError(value)


def _accounts(value: Any) -> str:
    if isinstance(value, str):
        items: Any = _ITEM.findall(value)
    elif isinstance(value, list | tuple):
        items = value
    else:
        items = [value]
    return ",".join(i for i in (_account(item) for item in items) if i)


def _month(value: Any) -> str:
    if not isinstance(value, str) or not (not value.strip() or _MONTH.fullmatch(value.strip())):
        raise ValueError(value)
    return value.strip()


def _moment(name: str) -> Callable[[Any], Any]:
    def convert(value: Any) -> Any:
        if isinstance(value, str) and not value.strip():
            return ""
        clock.to_utc(value, f"parameter {name}")  # epochs and non-ISO text refused
        return value.strip() if isinstance(value, str) else value

    return convert


def _duration(name: str) -> Callable[[Any], Any]:
    def convert(value: Any) -> Any:
        if isinstance(value, str) and not value.strip():
            return ""
        clock.to_duration(value, f"parameter {name}")
        return value.strip() if isinstance(value, str) else value

    return convert


_DAYS = _whole(1, RETENTION_DAYS)
_HOURS = _whole(1, RETENTION_DAYS * 24)
_MINUTES = _whole(1, 24 * 60)
_PERIOD = Rule("a billing period YYYY-MM, e.g. '2026-10' (or empty)", _month)
_ID = Rule("a 12-digit AWS account id (or empty)", _account)
_LIST = Rule("names, comma-separated or a list of names", _items)
_MOMENTS = ("start", "end", "as_of", "change_at", "day", "trail_end")

#: Parameter name -> how it is checked, in whichever notebook, suite or magic it appears.
#: A name not here is checked against its declared type (:data:`TYPES`).
RULES: dict[str, Rule] = {
    "backend": _one_of("", "local", "aws"),
    "basis": _one_of("unblended", "amortized", "net_amortized", "public"),
    "tier": _one_of("fast", "medium", "slow"),
    "grain": _one_of("day", "month"),
    "month": _PERIOD,
    "start_period": _PERIOD,
    "end_period": _PERIOD,
    **{
        name: Rule(
            "an ISO 8601 day or time, e.g. '2026-11-14' or '2026-11-14T14:00Z'", _moment(name)
        )
        for name in _MOMENTS
    },  # fmt: skip
    "baseline": Rule("a duration, e.g. '1d' (or empty)", _duration("baseline")),
    "lookback": Rule("a duration, e.g. '6h'", _duration("lookback")),
    "bucket": Rule("a duration, e.g. '1h'", _duration("bucket")),
    "top": _whole(1, 1000),
    "limit": _whole(1, 10_000),
    "days": _DAYS,
    "stale_days": _DAYS,
    "hours": _HOURS,
    "stuck_hours": _HOURS,
    "stale_hours": _HOURS,
    "flapping_changes": _whole(1, 1000),
    "growth": Rule("a number, 0 or more", _amount),
    "window": _MINUTES,
    "merge_within": _MINUTES,
    "min_impact_usd": Rule("a number, 0 or more", _amount),
    "min_score": Rule("a number, 0 or more", _amount),
    "max_resources": _whole(1, 10_000),
    "snapshot_min_age_days": _DAYS,
    **{
        name: Rule("a number, 0 or more", _amount)
        for name in (
            "nat_min_gb",
            "lb_min_requests_per_day",
            "volume_min_ops_per_day",
            "snapshot_min_gb",
            "cpu_max_percent",
            "memory_max_percent",
            "lambda_max_used_share",
            "lambda_headroom",
            "s3_min_standard_gb",
            "s3_max_gets_per_gb",
        )
    },  # fmt: skip
    **{
        name: Rule("a share from 0 to 1, e.g. 0.3", _at_most(1.0))
        for name in ("capacity_max_used_share", "capacity_headroom", "sp_discount", "idle_share")
    },  # fmt: skip
    "sp_percentile": Rule("a percentile from 0 to 100, e.g. 10", _at_most(100.0)),
    "sp_min_hourly_commitment": Rule("a number, 0 or more", _amount),
    "log_retention_days": _DAYS,
    "expiring_days": _DAYS,
    "account": _ID,
    "slo_account": _ID,
    "logs_account": _ID,
    "accounts": Rule("12-digit AWS account ids, comma-separated (or empty)", _accounts),
    "functions": _LIST,
    "services": _LIST,
    "log_groups": _LIST,
    "event_names": Rule("names, comma-separated", _names),
    "required_tags": Rule("tag keys, comma-separated", _names),
    "required": Rule("tag keys, comma-separated", _names),
    "prohibited_tags": Rule("tag keys, comma-separated", _names),
    "allowed_tag_values": Rule("Key=value1|value2 or Key=PATTERN-%, separated by ';'", _text),
}
#: Declared type -> how a parameter without a rule of its own is checked.
TYPES: dict[str, Rule] = {
    "str": Rule("text (papermill reads digits as a number: pass text with -r)", _text),
    "int": _whole(None),
    "float": Rule("a number, 0 or more", _amount),
    "bool": Rule("true or false", _flag),
    "list": _LIST,
}
#: Pairs of parameters whose second must come after the first, when both are given.
_ORDERED = (("start", "end"), ("start_period", "end_period"))


def check_value(name: str, value: Any, declared: str | None = None) -> Any:
    """Return ``value`` checked (and converted where exact) by the rule for ``name``.

    The rule is ``name``'s in :data:`RULES`, else the one for its ``declared`` type (``"int"``,
    ``"str"``, ...); a name with neither is returned as it is. ``None`` stays ``None``.

    Raises
    ------
    opsbook.errors.ConfigurationError
        Naming the parameter, the value and what the parameter accepts.

    Examples
    --------
    >>> check_value("functions", "orders-worker"), check_value("tier", " slow")
    (['orders-worker'], 'slow')
    >>> check_value("top", "٣")
    Traceback (most recent call last):
    ...
    opsbook.errors.ConfigurationError: parameter top must be a whole number from 1 to 1000, got '٣' (str)
    >>> check_value("as_of", 1764547200)
    Traceback (most recent call last):
    ...
    opsbook.errors.ConfigurationError: parameter as_of 1764547200 is a number, not a time: use ISO 8601, e.g. '2026-11-14T14:00Z'
    """
    rule = RULES.get(name) or TYPES.get(declared or "")
    if rule is None or value is None:
        return value
    try:
        return rule.convert(value)
    except ConfigurationError:
        raise
    except (ValueError, TypeError, OverflowError):
        raise ConfigurationError(
            f"parameter {name} must be {rule.accepts}, got {value!r} ({type(value).__name__})"
        ) from None


def check_values(values: Mapping[str, Any], declared: Mapping[str, str]) -> dict[str, Any]:
    """Return ``values`` checked by :func:`check_value`, and ordered pairs (``start`` < ``end``).

    ``declared`` maps names to their declared type names (``{"top": "int"}``).

    Examples
    --------
    >>> check_values({"start_period": "2026-10", "end_period": "2026-09"}, {})
    Traceback (most recent call last):
    ...
    opsbook.errors.ConfigurationError: parameter end_period '2026-09' is before start_period '2026-10': swap them
    """
    result = {name: check_value(name, value, declared.get(name)) for name, value in values.items()}
    for first, last in _ORDERED:
        if not (result.get(first) and result.get(last)):
            continue
        if first == "start":
            if clock.to_utc(result[last], last) > clock.to_utc(result[first], first):
                continue
        elif result[last] >= result[first]:
            continue
        raise ConfigurationError(
            f"parameter {last} {result[last]!r} is "
            f"{'before' if first != 'start' else 'not after'} {first} {result[first]!r}: swap them"
        )
    return result


def checks_arguments(*names: str) -> Callable[[_F], _F]:
    """Check a public function's arguments ``names`` by :data:`RULES`, as a notebook's parameters.

    So ``cost.review_month("2026-10", top="ten")`` from Python fails as ``-p top ten`` does, with
    the parameter named, before any query runs. The check only refuses: values are passed on
    as given (a function taking a list of accounts still gets its list).

    Examples
    --------
    >>> @checks_arguments("top", "start", "end")
    ... def listing(start, end, *, top=10):
    ...     return top
    >>> listing("2026-11-01", "2026-11-02", top=3)
    3
    >>> listing("2026-11-01", "2026-11-02", top=-1)
    Traceback (most recent call last):
    ...
    opsbook.errors.ConfigurationError: parameter top must be a whole number from 1 to 1000, got -1 (int)
    >>> listing("2026-11-02", "2026-11-01")
    Traceback (most recent call last):
    ...
    opsbook.errors.ConfigurationError: parameter end '2026-11-01' is not after start '2026-11-02': swap them
    """
    unknown = [name for name in names if name not in RULES]
    if unknown:
        raise TypeError(f"no parameter rule for {', '.join(unknown)}")

    def decorate(function: _F) -> _F:
        signature = inspect.signature(function)

        @functools.wraps(function)
        def checking(*args: Any, **kwargs: Any) -> Any:
            given = signature.bind_partial(*args, **kwargs).arguments
            check_values({name: given[name] for name in names if name in given}, {})
            return function(*args, **kwargs)

        return checking  # type: ignore[return-value]

    return decorate


def checked(namespace: MutableMapping[str, Any]) -> dict[str, Any]:
    """Check a notebook's parameters where they live, update them and return them.

    The first line of each notebook's setup cell is ``checked(globals())``: the parameters are
    the names annotated in the ``parameters`` cell (``top: int = 10``; IPython keeps the
    annotations in ``__annotations__``), with the values papermill injected after it.

    Raises
    ------
    opsbook.errors.ConfigurationError
        For the first value not accepted, naming the parameter and what it accepts.

    Examples
    --------
    >>> namespace = {"__annotations__": {"top": int, "month": "str"}, "top": 7.0, "month": "2026-10"}
    >>> checked(namespace), namespace["top"]
    ({'top': 7, 'month': '2026-10'}, 7)
    """
    annotations = namespace.get("__annotations__") or {}
    declared = {name: getattr(kind, "__name__", str(kind)) for name, kind in annotations.items()}
    values = {name: namespace[name] for name in declared if name in namespace}
    result = check_values(values, declared)
    namespace.update(result)
    return result
