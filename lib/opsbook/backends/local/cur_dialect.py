"""Athena (Trino) SQL to DuckDB: sqlglot's transpiler plus the fixes CUR queries need, in one place.

sqlglot maps most of Trino to DuckDB; these are the places where its output would behave
differently from Athena on CUR data, each fixed here rather than in every query:

* a map subscript ``resource_tags['user_app']`` fails on Athena when a line item lacks the key
  ("Key not present in map"), while DuckDB returns NULL; it becomes a CASE that raises the same
  error, so a query that would fail on Athena fails locally too (use ``element_at`` for NULL);
* ``element_at(map, key)`` is NULL for a missing key on both engines (sqlglot emits DuckDB's
  subscript, which is NULL-safe): no change needed, covered by tests;
* ``cardinality(map)`` becomes ``array_length`` in sqlglot, which DuckDB rejects for a MAP; it
  stays ``cardinality`` for the CUR's map columns.

Examples
--------
>>> to_duckdb("SELECT element_at(resource_tags, 'user_app') AS app FROM cur")
"SELECT resource_tags['user_app'] AS app FROM cur"
"""

from __future__ import annotations

from sqlglot import exp

from opsbook.queries.analyse import parse_athena

__all__ = ["MAP_COLUMNS", "to_duckdb", "transpile_tree"]

#: CUR 2.0 columns of type MAP.
MAP_COLUMNS = frozenset({"resource_tags", "cost_category", "product", "tags", "discount"})


def to_duckdb(sql: str) -> str:
    """Return the DuckDB text of one Athena query (``:name`` placeholders become ``$name``).

    A translation only: it accepts any SELECT, whatever it reads. Queries run as CUR queries
    are parsed (and their tables checked) by :func:`opsbook.queries.analyse.parse_athena`.
    """
    return transpile_tree(parse_athena(sql, any_table=True))


def transpile_tree(tree: exp.Expression) -> str:
    """Return the DuckDB text of a parsed Athena query, with opsbook's dialect fixes applied."""
    tree = tree.copy()
    for bracket in list(tree.find_all(exp.Bracket)):
        if not bracket.args.get("safe") and _is_map_lookup(bracket):
            bracket.replace(_strict_lookup(bracket))
    for size in list(tree.find_all(exp.ArraySize)):
        if _is_map_column(size.this):
            size.replace(exp.Anonymous(this="cardinality", expressions=[size.this.copy()]))
    return tree.sql(dialect="duckdb")


def _is_map_column(node: exp.Expression) -> bool:
    return isinstance(node, exp.Column) and node.name.lower() in MAP_COLUMNS


def _is_map_lookup(bracket: exp.Bracket) -> bool:
    keys = bracket.expressions
    if len(keys) != 1:
        return False
    key = keys[0]
    return _is_map_column(bracket.this) or (isinstance(key, exp.Literal) and key.is_string)


def _strict_lookup(bracket: exp.Bracket) -> exp.Expression:
    """``m[k]`` as Athena runs it: the value, or the query fails when the key is missing."""
    container, key = bracket.this, bracket.expressions[0]
    found = exp.Anonymous(this="map_contains", expressions=[container.copy(), key.copy()])
    value = exp.Bracket(this=container.copy(), expressions=[key.copy()], safe=True)
    message = exp.DPipe(
        this=exp.Literal.string("Key not present in map (Athena fails here; use element_at): "),
        expression=exp.cast(key.copy(), "VARCHAR"),
    )
    failure = exp.Anonymous(this="error", expressions=[message])
    return exp.Case(ifs=[exp.If(this=found, true=value)], default=failure)
