"""What an Athena query touches, read from its syntax tree: partitions, columns, placeholders.

Both engines use this before running anything: the billing-period filter decides which partitions
the local engine reads (and whether a query would scan a whole multi-year table on Athena), and
the referenced columns are checked against the table so a missing one is named before a run.

Examples
--------
>>> tree = parse_athena("SELECT sum(line_item_unblended_cost) AS c FROM cur WHERE billing_period = :m")
>>> sorted(referenced_columns(tree))
['billing_period', 'line_item_unblended_cost']
>>> [c.sql() for c in partition_filters(tree)]
['billing_period = :m']
"""

from __future__ import annotations

from functools import lru_cache

import sqlglot
from sqlglot import exp
from sqlglot.optimizer.simplify import simplify

from opsbook.errors import ConfigurationError
from opsbook.queries._safety import (
    LOGICAL_TABLE,
    foreign_tables,
    is_logical_table,
    statement_problem,
)

__all__ = [
    "LOGICAL_TABLE",
    "PARTITION",
    "cur_tables",
    "parse_athena",
    "partition_groups",
    "partition_filters",
    "referenced_columns",
    "statement_problem",
]

#: The billing-period partition column, lower-case as Glue and Athena show it.
PARTITION = "billing_period"


def parse_athena(sql: str, *, any_table: bool = False) -> exp.Expression:
    """Parse one Athena (Trino) statement; only a SELECT that reads ``cur`` is accepted.

    The query may read the logical table ``cur`` and its own ``WITH`` queries, nothing else:
    not a qualified table (``main.cur``, ``cid_data_export.cur2``), another table or a table
    function (``read_text(...)``), which would escape the billing-period guard or read what
    opsbook never registered (see :func:`opsbook.queries._safety.foreign_tables`). Only
    ``any_table=True`` lifts that, for SQL opsbook wrote itself and does not run as a CUR query
    (transpiling the Athena compatibility view, which reads the Glue table).

    Raises
    ------
    ConfigurationError
        If the text does not parse, holds several statements, is not a query, or reads
        anything besides ``cur`` and its own ``WITH`` queries.

    Examples
    --------
    >>> parse_athena("SELECT * FROM cid_data_export.cur2")
    Traceback (most recent call last):
    ...
    opsbook.errors.ConfigurationError: the query reads cid_data_export.cur2: opsbook queries read only the logical table cur (the configured CUR table or files) and their own WITH queries; write FROM cur
    """
    tree = _parsed(sql).copy()  # a copy: callers may change their tree
    if not isinstance(tree, exp.Query):
        raise ConfigurationError(
            f"only SELECT queries run through opsbook.athena, not {tree.key.upper()}"
        )
    foreign = [] if any_table else foreign_tables(tree)
    if foreign:
        raise ConfigurationError(
            f"the query reads {', '.join(foreign)}: opsbook queries read only the logical table "
            f"{LOGICAL_TABLE} (the configured CUR table or files) and their own WITH queries; "
            f"write FROM {LOGICAL_TABLE}"
        )
    return tree


@lru_cache(maxsize=512)
def _parsed(sql: str) -> exp.Expression:
    """Parse a text once per process (the checks run on every call; a failure is not kept)."""
    try:
        trees = sqlglot.parse(sql, read="trino")
    except sqlglot.errors.ParseError as error:
        raise ConfigurationError(f"cannot parse the query as Athena SQL: {error}") from None
    trees = [tree for tree in trees if tree is not None]
    if len(trees) != 1:
        raise ConfigurationError(f"expected one SQL statement, got {len(trees)}")
    return trees[0]


def cur_tables(tree: exp.Expression) -> list[exp.Table]:
    """Return the references to the logical ``cur`` table (unqualified, any case)."""
    return [t for t in tree.find_all(exp.Table) if is_logical_table(t)]


def partition_filters(tree: exp.Expression) -> list[exp.Expression] | None:
    """Return the ``billing_period`` conjuncts that bound every read of ``cur``, or ``None``.

    ``None`` means at least one read of ``cur`` has no billing-period condition in its WHERE (it
    would read every partition). The conjuncts of all reads are returned together; each read's
    partitions are those its own conjuncts accept, see :func:`partition_groups`.
    """
    groups = partition_groups(tree)
    if groups is None:
        return None
    return [c for group in groups for c in group]


def partition_groups(tree: exp.Expression) -> list[list[exp.Expression]] | None:
    """Return, per read of ``cur``, its ``billing_period`` conjuncts; ``None`` if one has none."""
    groups = []
    for table in cur_tables(tree):
        select = table.find_ancestor(exp.Select)
        where = select.args.get("where") if select else None
        alias = table.alias_or_name
        found = []
        if where is not None:
            for conjunct in (
                where.this.flatten() if isinstance(where.this, exp.And) else [where.this]
            ):
                columns = list(conjunct.find_all(exp.Column))
                if (
                    columns
                    and all(c.name.lower() == PARTITION and c.table in ("", alias) for c in columns)
                    and _bounds(conjunct)
                ):
                    found.append(conjunct)
        if not found:
            return None
        groups.append(found)
    return groups


def _bounds(conjunct: exp.Expression) -> bool:
    """Whether a billing-period condition can leave periods out.

    It must compare with a value (a literal or a parameter) and not be always true:
    ``billing_period = :m OR 1 = 1`` and ``billing_period IS NOT NULL`` read every period.
    """
    if not any(conjunct.find_all(exp.Literal, exp.Placeholder)):
        return False
    return simplify(conjunct.copy()) != exp.true()


def referenced_columns(tree: exp.Expression) -> set[str]:
    """Return the lower-cased column names the query reads (aliases it defines left out).

    ``*`` is returned as ``"*"``.
    """
    aliases = {a.alias.lower() for a in tree.find_all(exp.Alias)}
    aliases |= {c.alias_or_name.lower() for c in tree.find_all(exp.CTE)}
    aliases |= {a.name.lower() for a in tree.find_all(exp.TableAlias) for a in a.columns}
    names = {c.name.lower() for c in tree.find_all(exp.Column) if c.name}
    # A real column shadowed by an alias of its own name (``sum(cost) AS cost``) is still read.
    shadowed = {
        a.alias.lower()
        for a in tree.find_all(exp.Alias)
        if any(c.name.lower() == a.alias.lower() for c in a.this.find_all(exp.Column))
    }
    found = (names - aliases) | (names & shadowed)
    if any(isinstance(s, exp.Star) for s in tree.find_all(exp.Star)):
        found.add("*")
    return found
