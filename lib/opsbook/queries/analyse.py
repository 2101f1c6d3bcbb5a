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

import sqlglot
from sqlglot import exp

from opsbook.errors import ConfigurationError

__all__ = [
    "LOGICAL_TABLE",
    "PARTITION",
    "parse_athena",
    "partition_filters",
    "referenced_columns",
]

#: The logical table name every query uses; settings map it to the real one.
LOGICAL_TABLE = "cur"
#: The billing-period partition column, lower-case as Glue and Athena show it.
PARTITION = "billing_period"


def parse_athena(sql: str) -> exp.Expression:
    """Parse one Athena (Trino) statement; only a read-only SELECT is accepted.

    Raises
    ------
    ConfigurationError
        If the text does not parse, holds several statements or is not a query.
    """
    try:
        trees = sqlglot.parse(sql, read="trino")
    except sqlglot.errors.ParseError as error:
        raise ConfigurationError(f"cannot parse the query as Athena SQL: {error}") from None
    trees = [tree for tree in trees if tree is not None]
    if len(trees) != 1:
        raise ConfigurationError(f"expected one SQL statement, got {len(trees)}")
    tree = trees[0]
    if not isinstance(tree, exp.Query):
        raise ConfigurationError(
            f"only SELECT queries run through opsbook.athena, not {tree.key.upper()}"
        )
    return tree


def cur_tables(tree: exp.Expression) -> list[exp.Table]:
    """Return the references to the logical ``cur`` table (unqualified)."""
    return [t for t in tree.find_all(exp.Table) if t.name == LOGICAL_TABLE and not t.db]


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
                if columns and all(
                    c.name.lower() == PARTITION and c.table in ("", alias) for c in columns
                ):
                    found.append(conjunct)
        if not found:
            return None
        groups.append(found)
    return groups


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
