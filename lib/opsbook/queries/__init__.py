"""Queries shipped with opsbook, one per file, loaded by name.

A ``.sql`` file (Athena / Trino dialect) starts with a header of comment lines::

    -- name: cost_by_service
    -- doc: Unblended cost per billing period and service.
    -- param: start_period string  first billing period to include, as YYYY-MM

and refers to its parameters as ``:name`` placeholders. Values are always bound by the engine,
never formatted into the text; :meth:`Query.check` refuses missing and undeclared parameters
before anything runs.

Examples
--------
>>> query = load("cur/cost_by_service")
>>> sorted(query.params)
['end_period', 'start_period']
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

from opsbook.errors import ConfigurationError

__all__ = ["Query", "load", "names"]

_HEADER = re.compile(r"^--\s*(name|doc|param):\s*(.*)$")
_PLACEHOLDER = re.compile(r"(?<![:\w]):([A-Za-z_]\w*)")
_TYPES = {"string": str, "integer": int, "double": float, "date": str, "boolean": bool}


@dataclass(frozen=True)
class Query:
    """A named query with its declared parameters (name → (type, help))."""

    name: str
    doc: str
    params: dict[str, tuple[str, str]]
    sql: str

    def check(self, given: dict[str, Any] | None) -> dict[str, Any]:
        """Return ``given`` after checking it matches the declared parameters and their types."""
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
        for key, (kind, _) in self.params.items():
            expected = _TYPES[kind]
            value = given[key]
            if not isinstance(value, expected) or (expected is int and isinstance(value, bool)):
                raise ConfigurationError(
                    f"query {self.name!r}: parameter {key} must be a {kind}, got {value!r}"
                )
        return given


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
                    f"query {name!r}: parameter {pname} has unknown type {kind}"
                )
            params[pname] = (kind, rest[0] if rest else "")
        else:
            header[key] = value.strip()
    if header.get("name") != name.rsplit("/", 1)[-1]:
        raise ConfigurationError(f"query file {name!r} must start with '-- name: {name}'")
    body = "\n".join(line for line in text.splitlines() if not _HEADER.match(line.strip()))
    used = set(_PLACEHOLDER.findall(_strip_strings(body)))
    if used != set(params):
        raise ConfigurationError(
            f"query {name!r}: placeholders {sorted(used)} differ from declared params {sorted(params)}"
        )
    return Query(name=name, doc=header.get("doc", ""), params=params, sql=body.strip())


@cache
def load(name: str) -> Query:
    """Load a shipped query by name, e.g. ``cur/cost_by_service``.

    Raises
    ------
    ConfigurationError
        When no such query ships with opsbook (the message lists those that do).
    """
    path = resources.files("opsbook.queries").joinpath(f"{name}.sql")
    if not re.fullmatch(r"[a-z0-9_]+(/[a-z0-9_]+)*", name) or not path.is_file():
        raise ConfigurationError(f"no query named {name!r}; shipped queries: {', '.join(names())}")
    return parse(path.read_text(), name)


def names() -> list[str]:
    """Return the names of the shipped queries."""
    root = resources.files("opsbook.queries")
    found = []
    for folder in sorted(p for p in root.iterdir() if p.is_dir() and not p.name.startswith("_")):
        found += [
            f"{folder.name}/{f.name[:-4]}" for f in folder.iterdir() if f.name.endswith(".sql")
        ]
    return sorted(found)


def _strip_strings(sql: str) -> str:
    """Blank out quoted strings so ``':00'`` inside a literal is not read as a placeholder."""
    return re.sub(r"'(?:[^']|'')*'", "''", sql)
