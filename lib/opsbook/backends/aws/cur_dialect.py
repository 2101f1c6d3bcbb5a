"""Athena SQL for the configured table: ``cur`` named, ``:name`` placeholders bound as ``?``.

The aws counterpart of :mod:`opsbook.backends.local.cur_dialect` (which turns the same Athena SQL
into DuckDB's): the query text stays Trino, the logical table ``cur`` becomes the configured Glue
table (or the compatibility view of :mod:`.cur_view` in front of it), and each value becomes an
``ExecutionParameters`` entry in Trino literal form, bound by Athena, never formatted into the text.

Examples
--------
>>> from opsbook.settings import resolve
>>> from opsbook.queries.analyse import parse_athena
>>> athena_statement(parse_athena("SELECT 1 AS one FROM cur WHERE billing_period = :m"),
...                  {"m": "2026-10"}, resolve())
('SELECT 1 AS one FROM "cid_data_export"."cur2" AS cur WHERE billing_period = ?', ["'2026-10'"])
"""

from __future__ import annotations

import re
from typing import Any

import sqlglot
from sqlglot import exp

from opsbook.errors import ConfigurationError
from opsbook.queries.analyse import LOGICAL_TABLE, cur_tables
from opsbook.settings import Settings

__all__ = ["athena_statement", "trino_literal"]

_IDENTIFIER = re.compile(r"[a-z_][a-z0-9_]{0,254}")
_TOKENS = re.compile(r"'(?:[^']|'')*'|\"(?:[^\"]|\"\")*\"|--[^\n]*|:([A-Za-z_]\w*)")


def trino_literal(value: Any) -> str:
    """Return ``value`` as a Trino literal, the form Athena's ExecutionParameters take.

    Examples
    --------
    >>> trino_literal("it's"), trino_literal(3), trino_literal(True), trino_literal(1.5)
    ("'it''s'", '3', 'true', "DOUBLE '1.5'")
    """
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return f"DOUBLE '{value!r}'"
    return "'" + str(value).replace("'", "''") + "'"


def athena_statement(
    tree: exp.Expression, values: dict[str, Any], settings: Settings, view: str | None = None
) -> tuple[str, list[str]]:
    """Return the Athena text (``cur`` → the configured table, ``:name`` → ``?``) and its values.

    With ``view`` (the compatibility ``SELECT`` of a legacy CUR or FOCUS table, see
    :func:`opsbook.backends.aws.cur_view.athena_view`), ``cur`` becomes that view, as the first
    query of the statement's WITH list, instead of the table itself.

    Raises
    ------
    ConfigurationError
        When the configured database or table is not a plain lower-case identifier.
    """
    database, table = settings.athena_database, settings.athena_table
    for key, name in (("athena_database", database), ("athena_table", table)):
        if not _IDENTIFIER.fullmatch(name):
            raise ConfigurationError(f"setting {key} must be a lower-case identifier, got {name!r}")
    tree = tree.copy()
    if view is not None:
        _with_view(tree, view)
        return _bind(tree.sql(dialect="trino"), values)
    for ref in cur_tables(tree):
        alias = ref.alias
        ref.set("this", exp.to_identifier(table, quoted=True))
        ref.set("db", exp.to_identifier(database, quoted=True))
        if not alias:
            ref.set("alias", exp.TableAlias(this=exp.to_identifier(LOGICAL_TABLE)))
    return _bind(tree.sql(dialect="trino"), values)


def _with_view(tree: exp.Expression, view: str) -> None:
    """Put ``cur AS (<view>)`` first in the statement's WITH list (its own CTEs may read it)."""
    cte = exp.CTE(
        this=sqlglot.parse_one(view, read="trino"),
        alias=exp.TableAlias(this=exp.to_identifier(LOGICAL_TABLE)),
    )
    existing = tree.args.get("with_")
    if existing is None:
        tree.set("with_", exp.With(expressions=[cte]))
    else:
        existing.set("expressions", [cte, *existing.expressions])


def _bind(text: str, values: dict[str, Any]) -> tuple[str, list[str]]:
    """Replace each ``:name`` outside strings and comments by ``?``; return the values in order."""
    params: list[str] = []

    def bind(match: re.Match[str]) -> str:
        if match.group(1) is None:
            return match.group(0)
        params.append(trino_literal(values[match.group(1)]))
        return "?"

    return _TOKENS.sub(bind, text), params
