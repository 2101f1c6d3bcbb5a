"""Queries shipped with opsbook, one per file, loaded by name; ad-hoc SQL checked the same way.

A ``.sql`` file (Athena / Trino dialect) starts with a header of comment lines::

    -- name: cost_by_service
    -- doc: Unblended cost per billing period and service.
    -- param: start_period month  first billing period to include
    -- scan: all periods          (only for a query meant to read every billing period)

and refers to its parameters as ``:name`` placeholders, which Athena accepts in WHERE clauses only.
A body may use a shared SQL fragment as ``{{amortized_cost}}``: the expression in
``queries/_fragments/amortized_cost.sql`` (see :func:`fragment`), so rules such as amortized
cost are written and tested once. The ``cur/spend_by_<dimension>`` queries differ only in what
they group on, so they are one template, ``queries/_templates/spend_by.sql``, filled from a fixed
table of dimensions (:mod:`opsbook.queries._spend_by`). Values are always bound by the engine,
never formatted into the text; :meth:`Query.check` refuses missing, undeclared and ill-typed
parameters (a ``month`` must be ``YYYY-MM`` with a real month) before anything runs.

Parameter types: ``string``, ``month`` (``YYYY-MM``), ``date`` (``YYYY-MM-DD``, or a
:class:`datetime.date`), ``account_id`` (12 digits), ``integer``, ``double``, ``boolean``.

Examples
--------
>>> query = load("cur/cost_by_service")
>>> sorted(query.params)
['end_period', 'start_period']
>>> resolve("SELECT 1 AS one FROM cur WHERE billing_period = :month").params
{'month': ('any', 'ad-hoc parameter')}
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

from opsbook.errors import ConfigurationError
from opsbook.queries import _spend_by

__all__ = [
    "Query",
    "check_value",
    "expand_fragments",
    "fragment",
    "load",
    "load_insights",
    "names",
    "parse",
    "placeholders",
    "resolve",
]

_HEADER = re.compile(r"^--\s*(name|doc|param|scan):\s*(.*)$")
_PLACEHOLDER = re.compile(r"(?<![:\w]):([A-Za-z_]\w*)")
_FRAGMENT = re.compile(r"\{\{\s*([a-z_][a-z0-9_]*)\s*\}\}")
_NAME = re.compile(r"[a-z0-9_]+(/[a-z0-9_]+)*")
_MONTH = re.compile(r"(\d{4})-(\d{2})")
_ACCOUNT = re.compile(r"\d{12}")
_TYPES = ("string", "month", "date", "account_id", "integer", "double", "boolean")
#: Longest string value accepted; Athena's whole query text is capped at 262,144 bytes.
MAX_STRING = 4096


@dataclass(frozen=True)
class Query:
    """A query with its declared parameters (name → (type, help)).

    ``scan_all`` is true for a query that deliberately reads every billing period (declared with
    ``-- scan: all periods``); every other query must filter on ``billing_period``.
    """

    name: str
    doc: str
    params: dict[str, tuple[str, str]]
    sql: str
    scan_all: bool = False

    def check(self, given: dict[str, Any] | None) -> dict[str, Any]:
        """Return ``given`` checked against the declared parameters, values normalised.

        Raises
        ------
        ConfigurationError
            Naming the missing, undeclared or ill-typed parameter and what it accepts.
        """
        given = dict(given or {})
        missing = sorted(set(self.params) - set(given))
        unknown = sorted(set(given) - set(self.params))
        if missing or unknown:
            problems = [f"missing {', '.join(missing)}"] if missing else []
            problems += [f"undeclared {', '.join(unknown)}"] if unknown else []
            declared = ", ".join(f"{k} ({t})" for k, (t, _) in self.params.items()) or "none"
            raise ConfigurationError(
                f"query {self.name!r}: {'; '.join(problems)} parameter(s); it declares: {declared}"
            )
        return {
            key: check_value(self.name, key, kind, given[key])
            for key, (kind, _) in self.params.items()
        }


def check_value(query: str, key: str, kind: str, value: Any) -> Any:
    """Return ``value`` checked (and normalised) for a parameter of type ``kind``.

    ``any`` (ad-hoc SQL) accepts a string, number, boolean or date.

    Examples
    --------
    >>> check_value("q", "month", "month", "2026-09")
    '2026-09'
    >>> check_value("q", "day", "date", dt.date(2026, 9, 1))
    '2026-09-01'
    """
    bad = f"query {query!r}: parameter {key} must be a{'n' if kind[0] in 'aeiou' else ''} {kind}"
    if kind == "any":
        if isinstance(value, dt.date):
            return check_value(query, key, "date", value)
        if not isinstance(value, str | int | float | bool):
            raise ConfigurationError(f"{bad} (string, number, boolean or date), got {value!r}")
        kind = {bool: "boolean", int: "integer", float: "double"}.get(type(value), "string")
    if kind in ("integer", "double", "boolean"):
        wanted = {"integer": int, "double": int | float, "boolean": bool}[kind]
        if not isinstance(value, wanted) or (kind != "boolean" and isinstance(value, bool)):
            raise ConfigurationError(f"{bad}, got {value!r}")
        return float(value) if kind == "double" else value
    if kind == "date" and isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value.isoformat()
    if not isinstance(value, str):
        raise ConfigurationError(f"{bad}, got {value!r}")
    if kind == "month":
        match = _MONTH.fullmatch(value)
        if not match or not 1 <= int(match.group(2)) <= 12:
            raise ConfigurationError(f"{bad} written YYYY-MM with a month 01-12, got {value!r}")
    elif kind == "date":
        try:
            if len(value) != 10:
                raise ValueError(value)
            dt.date.fromisoformat(value)
        except ValueError:
            raise ConfigurationError(f"{bad} written YYYY-MM-DD, got {value!r}") from None
    elif kind == "account_id" and not _ACCOUNT.fullmatch(value):
        raise ConfigurationError(f"{bad} of 12 digits, got {value!r}")
    elif kind == "string" and (len(value) > MAX_STRING or "\x00" in value):
        raise ConfigurationError(f"{bad} without NUL of at most {MAX_STRING} characters")
    return value


def parse(text: str, name: str) -> Query:
    """Parse a query file's text; the header's ``name`` must match the file's name."""
    header: dict[str, str] = {}
    params: dict[str, tuple[str, str]] = {}
    for line in text.splitlines():
        match = _HEADER.match(line.strip())
        if not match:
            continue
        key, value = match.groups()
        if key == "param":
            pname, kind, *rest = value.split(None, 2)
            if kind not in _TYPES:
                raise ConfigurationError(
                    f"query {name!r}: parameter {pname} has unknown type {kind}; "
                    f"types: {', '.join(_TYPES)}"
                )
            params[pname] = (kind, rest[0] if rest else "")
        else:
            header[key] = value.strip()
    if header.get("name") != name.rsplit("/", 1)[-1]:
        raise ConfigurationError(f"query file {name!r} must start with '-- name: {name}'")
    if header.get("scan", "all periods") != "all periods":
        raise ConfigurationError(f"query {name!r}: the only scan header is '-- scan: all periods'")
    body = "\n".join(line for line in text.splitlines() if not _HEADER.match(line.strip()))
    body = expand_fragments(body, name)
    used = placeholders(body)
    if used != set(params):
        raise ConfigurationError(
            f"query {name!r}: placeholders {sorted(used)} differ from declared params {sorted(params)}"
        )
    return Query(
        name=name,
        doc=header.get("doc", ""),
        params=params,
        sql=body.strip(),
        scan_all="scan" in header,
    )


def resolve(sql_or_name: str) -> Query:
    """Return the shipped query named ``sql_or_name``, or an ad-hoc :class:`Query` of SQL text.

    Ad-hoc SQL declares its parameters by using them (``:name``); their values may be strings,
    numbers, booleans or dates, and are bound exactly like a shipped query's.

    Raises
    ------
    ConfigurationError
        For an unknown query name (the message lists the shipped ones) or empty SQL.
    """
    text = sql_or_name.strip()
    if not text:
        raise ConfigurationError("empty query: give a shipped query name or Athena SQL")
    if not any(ch.isspace() for ch in text):
        return load(text)
    text = expand_fragments(text, "ad-hoc")
    params = {key: ("any", "ad-hoc parameter") for key in sorted(placeholders(text))}
    return Query(name="ad-hoc", doc="", params=params, sql=text)


@cache
def load(name: str) -> Query:
    """Load a shipped query by name, e.g. ``cur/cost_by_service``.

    Raises
    ------
    ConfigurationError
        When no such query ships with opsbook (the message lists those that do).
    """
    path = resources.files("opsbook.queries").joinpath(f"{name}.sql")
    if _NAME.fullmatch(name) and path.is_file():
        return parse(path.read_text(), name)
    if name in _spend_by.texts():  # made from one template (see opsbook.queries._spend_by)
        return parse(_spend_by.texts()[name], name)
    raise ConfigurationError(f"no query named {name!r}; shipped queries: {', '.join(names())}")


def names() -> list[str]:
    """Return the names of the shipped queries."""
    root = resources.files("opsbook.queries")
    found = []
    for folder in sorted(p for p in root.iterdir() if p.is_dir() and not p.name.startswith("_")):
        found += [
            f"{folder.name}/{f.name[:-4]}" for f in folder.iterdir() if f.name.endswith(".sql")
        ]
    return sorted(found + list(_spend_by.texts()))


def expand_fragments(sql: str, name: str) -> str:
    """Return ``sql`` with each ``{{fragment}}`` replaced by that fragment, in parentheses.

    A fragment whose header says ``-- kind: columns`` is a list of SELECT columns and is
    inserted as it is; fragments may use fragments.

    Examples
    --------
    >>> print(expand_fragments("SELECT {{cost_columns}} FROM cur", "example").splitlines()[0])
    SELECT sum(line_item_unblended_cost) AS unblended_cost,

    Raises
    ------
    ConfigurationError
        For a fragment that does not exist (the message lists those that do).
    """

    def insert(match: re.Match[str]) -> str:
        text = expand_fragments(fragment(match.group(1), name), name)
        return text if match.group(1) in _column_fragments() else f"({text})"

    return _FRAGMENT.sub(insert, sql)


@cache
def _column_fragments() -> frozenset[str]:
    folder = resources.files("opsbook.queries").joinpath("_fragments")
    return frozenset(
        f.name[:-4]
        for f in folder.iterdir()
        if f.name.endswith(".sql") and "-- kind: columns" in f.read_text().splitlines()
    )


@cache
def fragment(name: str, used_by: str = "") -> str:
    """Return the SQL expression of the shared fragment ``name`` (its header stripped).

    Examples
    --------
    >>> fragment("upfront_fees").startswith("CASE")
    True
    """
    path = resources.files("opsbook.queries").joinpath("_fragments", f"{name}.sql")
    if not path.is_file():
        known = sorted(
            f.name[:-4]
            for f in resources.files("opsbook.queries").joinpath("_fragments").iterdir()
            if f.name.endswith(".sql")
        )
        raise ConfigurationError(
            f"query {used_by!r}: no SQL fragment {{{{{name}}}}}; fragments: {', '.join(known)}"
        )
    lines = [line for line in path.read_text().splitlines() if not line.startswith("--")]
    return "\n".join(lines).strip()


def placeholders(sql: str) -> set[str]:
    r"""Return the ``:name`` placeholders of ``sql``, ignoring quoted text and comments.

    Examples
    --------
    >>> sorted(placeholders("SELECT ':x' -- :y\nWHERE a = :b AND c::int = 1"))
    ['b']
    """
    return set(_PLACEHOLDER.findall(_strip_strings(sql)))


def load_insights(name: str) -> Query:
    """Load a shipped Logs Insights query (``queries/logs/<name>.insights``) by name.

    The file starts with ``# name:`` and ``# doc:`` comment lines (``#`` lines are comments in
    Logs Insights too, so the file runs as is). Logs Insights has no bound parameters, so these
    queries take none: the time range and log groups are arguments of the call that runs them.

    Examples
    --------
    >>> load_insights("logs/http_5xx_by_path").doc.split(".")[0]
    'Server errors (HTTP 5xx) per path, most first'
    """
    path = resources.files("opsbook.queries").joinpath(f"{name}.insights")
    if not re.fullmatch(r"[a-z0-9_]+(/[a-z0-9_]+)*", name) or not path.is_file():
        root = resources.files("opsbook.queries").joinpath("logs")
        shipped = sorted(
            f"logs/{f.name[:-9]}" for f in root.iterdir() if f.name.endswith(".insights")
        )
        raise ConfigurationError(
            f"no Logs Insights query named {name!r}; shipped: {', '.join(shipped)}"
        )
    text = path.read_text()
    header = dict(re.findall(r"^#\s*(name|doc):\s*(.*)$", text, flags=re.MULTILINE))
    if header.get("name") != name.rsplit("/", 1)[-1]:
        raise ConfigurationError(f"query file {name!r} must start with '# name: {name}'")
    body = "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("#"))
    return Query(name=name, doc=header.get("doc", "").strip(), params={}, sql=body.strip())


def _strip_strings(sql: str) -> str:
    """Blank out quoted strings and comments so ``':00'`` is not read as a placeholder."""
    sql = re.sub(r"'(?:[^']|'')*'", "''", sql)
    return re.sub(r"--[^\n]*", "", sql)
