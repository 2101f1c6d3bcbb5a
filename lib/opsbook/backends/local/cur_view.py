"""The CUR flavours on disk, seen through one DuckDB view with CUR 2.0 names.

* ``cur2`` — Data Exports CUR 2.0, ``<export>/data/BILLING_PERIOD=YYYY-MM/*.parquet``: native.
* ``legacy`` — CUR 1 with Athena integration, ``<report>/.../year=YYYY/month=M/*.parquet``:
  partitions become ``billing_period``, flat ``resource_tags_user_*`` columns become the
  ``resource_tags`` map (keys ``user_*``, empty values left out), ``product_region`` becomes
  ``product_region_code`` and the commitment columns a month did not use come back as NULL,
  so one SQL body runs on both.
* ``focus`` — FOCUS 1.0, 1.1 and 1.2 exports (Parquet or CSV): the columns cost analyses need under CUR
  names (BilledCost → ``line_item_unblended_cost``, ListCost → ``pricing_public_on_demand_cost``,
  EffectiveCost → ``effective_cost``, the amortized figure), plus every FOCUS column lower-cased.
  The literal string ``NULL`` is read as NULL and timestamps may be ISO or ``YYYY-MM-DD HH:MM:SS``.

Which column comes from where is decided once, in :mod:`opsbook.backends.cur_mapping` (the
Athena view of the aws backend follows the same rules); this module only renders those rules
as DuckDB expressions over the files, every name from the files quoted (:func:`quote_name`,
:func:`quote_text`), never formatted bare into the SQL.

Examples
--------
>>> detect_flavour({"bill_payer_account_name", "line_item_unblended_cost"})
'cur2'
>>> duckdb_expression(Rule("billing_period", "months", ("year", "month")))
"printf('%04d-%02d', CAST(year AS INTEGER), CAST(month AS INTEGER)) AS billing_period"
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pyarrow.parquet as pq

from opsbook.backends.cur_mapping import (
    Rule,
    charge_type_case,
    detect_flavour,
    missing_column_hint,
    quote_name,
    quote_text,
    tag_key,
    view_rules,
)

__all__ = [
    "CurView",
    "detect_flavour",
    "duckdb_expression",
    "file_columns",
    "missing_column_hint",
    "open_view",
]


@dataclass
class CurView:
    """The ``cur`` relation over some files, and where each of its columns comes from."""

    flavour: str
    relation: duckdb.DuckDBPyRelation
    columns: set[str]
    sources: dict[str, set[str]] = field(default_factory=dict)


def file_columns(path: Path) -> list[str]:
    """Return the column names of one Parquet or CSV file (header only, nothing else read)."""
    if path.name.endswith(".parquet"):
        return pq.read_schema(path).names
    con = duckdb.connect()
    try:
        return con.read_csv(str(path), all_varchar=True, header=True).columns
    finally:
        con.close()


def open_view(
    con: duckdb.DuckDBPyConnection,
    files: list[Path],
    flavour: str,
    hive_key: str | None,
    *,
    same_schema: bool = False,
) -> CurView:
    """Return the ``cur`` view of ``files`` in ``flavour``; ``hive_key`` is their partition key.

    Files whose schemas differ are read by column name (DuckDB's ``union_by_name``), which opens
    every file's footer when the view is bound, and keeps them all for the query: ~2 MB per
    file of 4 M rows and 132 columns. Files the caller knows to share one schema
    (``same_schema``, Parquet only) are read as DuckDB reads any file list, one footer at a time,
    with the same rows and types.
    """
    paths = [str(p) for p in files]
    if paths[0].endswith(".parquet"):
        raw = con.read_parquet(
            paths, hive_partitioning=hive_key is not None, union_by_name=not same_schema
        )
    else:
        raw = con.read_csv(paths, all_varchar=True, header=True, union_by_name=True)
    types = {c: str(t) for c, t in zip(raw.columns, raw.types, strict=True)}
    rules = view_rules(flavour, raw.columns, hive_key, types)
    relation = raw.project(", ".join(duckdb_expression(r) for r in rules))
    sources = {r.name: set(r.sources) for r in rules if r.reads}
    return CurView(flavour, relation, set(relation.columns), sources)


def duckdb_expression(rule: Rule) -> str:
    """Return the DuckDB projection item (``<expression> AS <name>``) for one view rule."""
    name, sources, kind = rule.name, [quote_name(s) for s in rule.sources], rule.kind
    if rule.how in ("column", "partition"):
        return sources[0] if rule.sources[0] == name else f"{sources[0]} AS {quote_name(name)}"
    if rule.how == "months":
        return (
            "printf('%04d-%02d', CAST(year AS INTEGER), CAST(month AS INTEGER)) AS billing_period"
        )
    if rule.how == "null":
        return f"CAST(NULL AS {kind}) AS {name}"
    if rule.how == "tags":
        if not sources:
            return "MAP()::MAP(VARCHAR, VARCHAR) AS resource_tags"
        entries = ", ".join(
            f"{{'key': {quote_text(tag_key(s))}, 'value': {q}}}"
            for s, q in zip(rule.sources, sources, strict=True)
        )
        return (
            f"map_from_entries(list_filter([{entries}], lambda e: coalesce(e.value, '') <> ''))"
            " AS resource_tags"
        )
    (source,) = sources
    if rule.how == "focus":
        if rule.typed:
            return f"try_cast({source} AS {kind}) AS {name}"
        return f"try_cast(nullif(trim(CAST({source} AS VARCHAR)), 'NULL') AS {kind}) AS {name}"
    if rule.how == "text":
        return f"nullif(CAST({source} AS VARCHAR), 'NULL') AS {quote_name(name)}"
    if rule.how == "charge_type":
        return f"{charge_type_case(source)} AS {name}"
    if rule.how == "json_tags":
        if rule.typed:
            return f"coalesce({source}, MAP()) AS resource_tags"
        return (
            f"coalesce(try_cast(json_transform(nullif(trim({source}), 'NULL'), "
            "'\"MAP(VARCHAR, VARCHAR)\"') AS MAP(VARCHAR, VARCHAR)), MAP()) AS resource_tags"
        )
    if rule.how == "month_of":
        if rule.typed:
            return f"strftime({source}, '%Y-%m') AS billing_period"
        return (
            f"strftime(try_cast(nullif({source}, 'NULL') AS TIMESTAMP), '%Y-%m') AS billing_period"
        )
    raise ValueError(f"no DuckDB form for view rule {rule.how!r}")
