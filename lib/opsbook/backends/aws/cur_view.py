"""The Athena side of the CUR flavours: a Glue table seen as ``cur`` with CUR 2.0 names.

A CUR 2.0 table is queried as it is. A legacy CUR or FOCUS table is read through a
compatibility view, rendered here in Trino SQL from the same rules the local engine uses
(:mod:`opsbook.backends.cur_mapping`), and put in front of the shipped query as
``WITH cur AS (SELECT <mapped columns> FROM "<database>"."<table>")``:

* a CTE rather than a ``CREATE VIEW``: nothing is written to the Glue catalog (read-only FinOps
  roles lack glue:CreateTable), and the view always follows the table's current columns;
* a CTE rather than an inline subquery at each ``FROM cur``: Trino inlines a WITH query that is
  not recursive exactly like a subquery, so the plans are the same, and a query that reads
  ``cur`` twice carries the mapping once; it goes first in the WITH list, so the query's own
  CTEs can read it;
* partition pruning still works. Trino pushes the query's ``billing_period`` condition through
  the CTE's projection onto the table scan. For a ``billing_period`` partition key (CUR 2.0, or
  FOCUS as Data Exports partitions it) the condition lands on the key itself. For legacy CUR,
  ``billing_period`` is ``CAST(year AS VARCHAR) || '-' || lpad(CAST(month AS VARCHAR), 2, '0')``,
  an expression of the partition keys only; the Hive connector behind Athena's Glue catalog
  evaluates such a predicate against each partition's ``year``/``month`` values while it
  enumerates partitions (Trino's ``Constraint`` predicate), so only the months asked for are
  read. It cannot become a range on the keys, so Glue lists every partition of the table
  first: a few dozen monthly entries, not data scanned;
* column pruning too: Trino drops the view's columns a query does not use, so Athena reads (and
  bills) only the Parquet columns behind the ones the query names.

Identifiers come from Glue: each is checked against Athena's own rule for names (lower-case
letters, digits, underscore) and double-quoted; values stay bound by the caller.

Examples
--------
>>> table = CurTable("billing", "legacy_cur", {"line_item_unblended_cost": "double"},
...                  ["year", "month"])
>>> table.flavour, "billing_period" in table.columns
('legacy', True)
>>> athena_view(table).startswith('SELECT "line_item_unblended_cost", CAST("year" AS VARCHAR)')
True
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from opsbook.backends.cur_mapping import (
    Rule,
    charge_type_case,
    detect_flavour,
    partition_key,
    quote_name,
    quote_text,
    tag_key,
    view_rules,
)
from opsbook.errors import ConfigurationError

__all__ = ["CurTable", "athena_view", "trino_expression"]

_NAME = re.compile(r"[a-z_][a-z0-9_]{0,254}")
_EMPTY_MAP = "CAST(MAP() AS MAP(VARCHAR, VARCHAR))"


@dataclass
class CurTable:
    """A CUR table as Glue describes it: its data columns (name → Glue type) and partition keys."""

    database: str
    table: str
    types: dict[str, str]
    partitions: list[str] = field(default_factory=list)

    @property
    def flavour(self) -> str:
        """``cur2``, ``legacy`` or ``focus``, from the columns (see ``detect_flavour``)."""
        return detect_flavour([*self.types, *self.partitions])

    @property
    def rules(self) -> list[Rule]:
        """The columns of the ``cur`` view of this table."""
        key = partition_key(self.partitions)
        return view_rules(self.flavour, list(self.types), key, self.types)

    @property
    def columns(self) -> set[str]:
        """The column names a query sees as ``cur``."""
        if self.flavour == "cur2":
            return {*self.types, *self.partitions}
        return {r.name for r in self.rules}


def athena_view(table: CurTable) -> str:
    """Return the Trino ``SELECT`` that shows ``table`` with CUR 2.0 names (legacy and FOCUS).

    Raises
    ------
    ConfigurationError
        When a name the view would write is not one Athena allows (lower-case letters, digits,
        underscore): Glue names are checked, then double-quoted, never trusted.
    """
    for name in (table.database, table.table, *table.types, *table.partitions):
        if not _NAME.fullmatch(name):
            raise ConfigurationError(
                f"Glue table {table.database}.{table.table} has a name Athena does not allow "
                f"({name!r}); CUR tables use lower-case letters, digits and _: recreate the "
                "table with the CUR's own crawler or CloudFormation template"
            )
    items = ", ".join(trino_expression(r) for r in table.rules)
    return f"SELECT {items} FROM {quote_name(table.database)}.{quote_name(table.table)}"


def trino_expression(rule: Rule) -> str:
    """Return the Trino projection item (``<expression> AS "<name>"``) for one view rule.

    Examples
    --------
    >>> trino_expression(Rule("product_region_code", "column", ("product_region",)))
    '"product_region" AS "product_region_code"'
    """
    name, kind = quote_name(rule.name), rule.kind
    sources = [quote_name(s) for s in rule.sources]
    if rule.how in ("column", "partition"):
        return sources[0] if rule.sources[0] == rule.name else f"{sources[0]} AS {name}"
    if rule.how == "months":
        return (
            "CAST(\"year\" AS VARCHAR) || '-' || lpad(CAST(\"month\" AS VARCHAR), 2, '0') "
            'AS "billing_period"'
        )
    if rule.how == "null":
        return f"CAST(NULL AS {kind}) AS {name}"
    if rule.how == "tags":
        # map_from_entries over filtered (key, value) rows rather than map_filter: the same
        # shape as the DuckDB view, and sqlglot carries it to DuckDB (which has no map_filter).
        entries = ", ".join(
            f"CAST(ROW({quote_text(tag_key(s))}, {q}) AS ROW(key VARCHAR, value VARCHAR))"
            for s, q in zip(rule.sources, sources, strict=True)
        )
        if not entries:
            return f"{_EMPTY_MAP} AS {name}"
        return (
            f"map_from_entries(filter(ARRAY[{entries}], "
            f"e -> e.value IS NOT NULL AND e.value <> '')) AS {name}"
        )
    (source,) = sources
    value = f"nullif(trim({source}), 'NULL')"
    if rule.how == "focus":
        if rule.typed:
            return f"TRY_CAST({source} AS {kind}) AS {name}"
        return f"{_focus_value(value, kind)} AS {name}"
    if rule.how == "text":
        if rule.typed:
            return f"CAST({source} AS VARCHAR) AS {name}"
        return f"nullif({source}, 'NULL') AS {name}"
    if rule.how == "charge_type":
        return f"{charge_type_case(source)} AS {name}"
    if rule.how == "json_tags":
        if rule.typed:
            return f"coalesce({source}, {_EMPTY_MAP}) AS {name}"
        parsed = f"TRY(CAST(json_parse({value}) AS MAP(VARCHAR, VARCHAR)))"
        return f"coalesce({parsed}, {_EMPTY_MAP}) AS {name}"
    if rule.how == "month_of":
        start = source if rule.typed else _focus_value(value, "TIMESTAMP")
        return f"date_format({start}, '%Y-%m') AS {name}"
    raise ValueError(f"no Trino form for view rule {rule.how!r}")


def _focus_value(value: str, kind: str | None) -> str:
    """Cast a cleaned FOCUS text value to ``kind``.

    Trino's cast to TIMESTAMP reads ``YYYY-MM-DD HH:MM:SS`` but not every ISO 8601 form
    (``…T…Z``), which goes through ``from_iso8601_timestamp`` instead.
    """
    if kind != "TIMESTAMP":
        return f"TRY_CAST({value} AS {kind})"
    return (
        f"coalesce(TRY_CAST({value} AS TIMESTAMP), "
        f"TRY(CAST(from_iso8601_timestamp({value}) AS TIMESTAMP)))"
    )
