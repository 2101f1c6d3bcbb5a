"""Report suites: named lists of notebooks with parameters, declared in ``suites.yaml``.

Parameter values may hold dates relative to the run date, evaluated in UTC when the suite runs::

    ${run_date}          the run date, YYYY-MM-DD        ${run_date-7d}   seven days before
    ${month}             the run date's month, YYYY-MM   ${month-1}       the previous month
    ${month_start-1}     first day of the previous month, YYYY-MM-DD
    ${week_start}        Monday of the run date's week   ${week_start-1}  the Monday before

Examples
--------
>>> import datetime as dt
>>> expand("${month-1}", dt.date(2026, 1, 15))
'2025-12'
>>> expand("from ${run_date-7d} to ${run_date}", dt.date(2026, 3, 3))
'from 2026-02-24 to 2026-03-03'
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from opsbook.errors import ConfigurationError
from opsbook.settings import find_project_root

__all__ = ["SUITES_FILE", "Entry", "Suite", "expand", "load_suites"]

SUITES_FILE = "suites.yaml"
DEFAULT_TIMEOUT_S = 600
_TOKEN = re.compile(r"\$\{\s*(\w+)\s*(?:([+-])\s*(\d+)\s*(d?))?\s*\}")


@dataclass(frozen=True)
class Entry:
    """One notebook of a suite, with its parameters (relative dates not yet expanded)."""

    path: str
    parameters: dict[str, Any] = field(default_factory=dict)
    timeout: int = DEFAULT_TIMEOUT_S

    def resolved(self, run_date: dt.date) -> dict[str, Any]:
        """Return the parameters with relative dates expanded for ``run_date``."""
        return {
            key: expand(value, run_date) if isinstance(value, str) else value
            for key, value in self.parameters.items()
        }


@dataclass(frozen=True)
class Suite:
    """A named list of notebooks."""

    name: str
    description: str
    notebooks: tuple[Entry, ...]


class _NoDatesLoader(yaml.SafeLoader):
    """Safe YAML that keeps dates as strings: notebooks take ISO dates as ``str`` parameters."""


_NoDatesLoader.yaml_implicit_resolvers = {
    first: [(tag, regex) for tag, regex in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def load_suites(root: str | Path | None = None) -> dict[str, Suite]:
    """Read ``suites.yaml`` from the project root and check its shape.

    Raises
    ------
    ConfigurationError
        When the file is missing or malformed, naming the suite and entry at fault.
    """
    path = find_project_root(root) / SUITES_FILE
    if not path.is_file():
        raise ConfigurationError(
            f"no {SUITES_FILE} in {path.parent}: run opsbook from the project root "
            "(the folder holding opsbook.toml)"
        )
    try:
        raw = yaml.load(path.read_text(), Loader=_NoDatesLoader) or {}
    except yaml.YAMLError as error:
        raise ConfigurationError(f"{SUITES_FILE} is not valid YAML: {error}") from None
    if not isinstance(raw, dict):
        raise ConfigurationError(f"{SUITES_FILE} must map suite names to suites")
    return {str(name): _suite(str(name), body) for name, body in raw.items()}


def _suite(name: str, body: Any) -> Suite:
    notebooks = body.get("notebooks") if isinstance(body, dict) else None
    if not isinstance(notebooks, list) or not notebooks:
        raise ConfigurationError(f"{SUITES_FILE}: suite {name!r} needs a list of notebooks")
    entries = []
    for entry in notebooks:
        if not isinstance(entry, dict) or "path" not in entry:
            raise ConfigurationError(
                f"{SUITES_FILE}: suite {name!r}: each notebook needs a path, got {entry!r}"
            )
        parameters = entry.get("parameters") or {}
        timeout = entry.get("timeout", DEFAULT_TIMEOUT_S)
        if not isinstance(parameters, dict):
            raise ConfigurationError(
                f"{SUITES_FILE}: {entry['path']}: parameters must be a mapping"
            )
        if isinstance(timeout, bool) or not isinstance(timeout, int) or timeout <= 0:
            raise ConfigurationError(
                f"{SUITES_FILE}: {entry['path']}: timeout must be whole seconds > 0"
            )
        for value in parameters.values():
            if isinstance(value, str):
                expand(value, dt.date(2000, 1, 1))  # reject unknown tokens when loading
        entries.append(Entry(str(entry["path"]), dict(parameters), timeout))
    return Suite(name, str(body.get("description", "")), tuple(entries))


def expand(text: str, run_date: dt.date) -> str:
    """Replace the relative-date tokens in ``text`` for ``run_date`` (see the module docstring).

    Raises
    ------
    ConfigurationError
        For an unknown token or a day offset on a month token.
    """

    def replace(match: re.Match[str]) -> str:
        name, sign, count, days = match.groups()
        offset = (-1 if sign == "-" else 1) * int(count or 0)
        if name == "run_date":
            return (run_date + dt.timedelta(days=offset)).isoformat()
        if days:
            raise ConfigurationError(f"{match.group(0)}: only run_date takes a day offset (Nd)")
        if name == "month":
            return _month_start(run_date, offset).strftime("%Y-%m")
        if name == "month_start":
            return _month_start(run_date, offset).isoformat()
        if name == "week_start":
            monday = run_date - dt.timedelta(days=run_date.weekday())
            return (monday + dt.timedelta(weeks=offset)).isoformat()
        raise ConfigurationError(
            f"unknown date token {match.group(0)}; use run_date, month, month_start or week_start"
        )

    expanded = _TOKEN.sub(replace, text)
    if "${" in expanded:
        raise ConfigurationError(f"malformed date token in {text!r}, e.g. write ${{month-1}}")
    return expanded


def _month_start(day: dt.date, months: int) -> dt.date:
    index = day.year * 12 + day.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)
