"""FOCUS exports for tests: the FinOps Foundation's FOCUS 1.0 sample as AWS's Data Exports writes
FOCUS 1.0, 1.1 and 1.2 (Parquet, real types, ``BILLING_PERIOD=`` partitions), and Glue's view of
a file's columns.

The exports are derived, at test time, from ``tests/data/focus-sample/focus_sample.csv`` (© FinOps
Foundation, CC BY 4.0, see its README and LICENSE.md): its AWS rows, typed, plus the columns FOCUS
1.1 and 1.2 added, filled from the row's own values (PricingCurrencyEffectiveCost is the
EffectiveCost, ServiceSubcategory follows the ServiceCategory, ...) so that every figure can be
checked against the CSV. Nothing derived is written into the repository.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pandas as pd

__all__ = ["FOCUS_SAMPLE", "FOCUS_VERSIONS", "aws_focus_export", "glue_table", "glue_types"]

#: The FinOps Foundation's FOCUS 1.0 sample (CC BY 4.0), kept in the repository (see its README).
FOCUS_SAMPLE = Path(__file__).resolve().parents[1] / "data" / "focus-sample" / "focus_sample.csv"
FOCUS_VERSIONS = ("1.0", "1.1", "1.2")
PERIOD = "2024-09"  # every AWS row of the sample is billed in September 2024

_DOUBLES = ("BilledCost", "ConsumedQuantity", "ContractedCost", "ContractedUnitPrice",
            "EffectiveCost", "ListCost", "ListUnitPrice", "PricingQuantity")  # fmt: skip
_TIMES = ("BillingPeriodEnd", "BillingPeriodStart", "ChargePeriodEnd", "ChargePeriodStart")
#: Columns FOCUS 1.1 added, as SQL over the 1.0 row (SkuPriceDetails: JSON text here).
_ADDED_1_1 = {
    "CapacityReservationId": "CAST(NULL AS VARCHAR)",
    "CapacityReservationStatus": "CAST(NULL AS VARCHAR)",
    "CommitmentDiscountQuantity": "CASE WHEN CommitmentDiscountId IS NOT NULL "
    "THEN EffectiveCost END",
    "CommitmentDiscountUnit": "CASE WHEN CommitmentDiscountId IS NOT NULL THEN 'USD' END",
    "ServiceSubcategory": "CASE ServiceCategory WHEN 'Compute' THEN 'Virtual Machines' "
    "WHEN 'Storage' THEN 'Object Storage' WHEN 'Networking' THEN 'Network Connectivity' "
    "ELSE 'Other (' || ServiceCategory || ')' END",
    "SkuMeter": "PricingUnit",
    "SkuPriceDetails": "CASE WHEN PricingUnit IS NOT NULL "
    "THEN CAST(json_object('PricingUnit', PricingUnit) AS VARCHAR) END",
}
#: Columns FOCUS 1.2 added (and SkuPriceDetails as the map AWS writes key-value columns as).
_ADDED_1_2 = {
    "SkuPriceDetails": "CASE WHEN PricingUnit IS NOT NULL "
    "THEN MAP {'PricingUnit': PricingUnit} END",
    "BillingAccountType": "'Billing Account'",
    "InvoiceId": "'INV-' || BillingAccountId || '-2024-09'",
    "PricingCurrency": "BillingCurrency",
    "PricingCurrencyContractedUnitPrice": "ContractedUnitPrice",
    "PricingCurrencyEffectiveCost": "EffectiveCost",
    "PricingCurrencyListUnitPrice": "ListUnitPrice",
    "SubAccountType": "'Linked Account'",
}


def aws_focus_export(root: Path, version: str) -> Path:
    """Write the sample's AWS rows as a FOCUS ``version`` export under ``root``; return ``root``.

    Layout and types as Data Exports delivers FOCUS: ``cur/focus-export/data/
    BILLING_PERIOD=2024-09/focus-export-00001.snappy.parquet``, doubles, timestamps, Tags a map.
    """
    target = root / "cur" / "focus-export" / "data" / f"BILLING_PERIOD={PERIOD}"
    target.mkdir(parents=True)
    typed = [
        *(f"try_cast(nullif({c}, 'NULL') AS DOUBLE) AS {c}" for c in _DOUBLES),
        *(f"try_cast(nullif({c}, 'NULL') AS TIMESTAMP) AS {c}" for c in _TIMES),
        "try_cast(json_transform(nullif(Tags, 'NULL'), '\"MAP(VARCHAR, VARCHAR)\"') "
        "AS MAP(VARCHAR, VARCHAR)) AS Tags",
    ]
    strings = "SELECT * REPLACE ({}) FROM read_csv('{}', all_varchar = true, nullstr = 'NULL')"
    con = duckdb.connect()
    try:
        con.sql(strings.format(", ".join(typed), FOCUS_SAMPLE)).filter(
            "ProviderName = 'AWS'"
        ).create_view("v1_0")
        added: dict[str, str] = {}
        if version >= "1.1":
            added |= _ADDED_1_1
        if version >= "1.2":
            added |= _ADDED_1_2
        select = ", ".join(f"{sql} AS {name}" for name, sql in added.items())
        rows = con.sql(f"SELECT *{', ' + select if select else ''} FROM v1_0")
        rows.write_parquet(str(target / "focus-export-00001.snappy.parquet"))
    finally:
        con.close()
    return root


def glue_types(path: Path) -> dict[str, str]:
    """The Glue column types a crawler gives the file's columns (lower-cased, as Glue shows)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    if path.suffix == ".csv":
        return {c.lower(): "string" for c in pd.read_csv(path, nrows=0).columns}
    kinds = {
        pa.types.is_floating: "double",
        pa.types.is_timestamp: "timestamp",
        pa.types.is_map: "map<string,string>",
    }
    return {
        f.name.lower(): next((k for test, k in kinds.items() if test(f.type)), "string")
        for f in pq.read_schema(path)
    }


def glue_table(con: duckdb.DuckDBPyConnection, raw: duckdb.DuckDBPyRelation, name: str) -> None:
    """Create view ``name`` (``schema.table``) of ``raw`` with its columns lower-cased, as Glue
    shows them to Athena, so that a Trino query run on DuckDB sees the names Athena would."""
    schema = name.split(".")[0]
    con.execute(f"CREATE SCHEMA IF NOT EXISTS {schema}")
    items = ", ".join(f'"{c}" AS "{c.lower()}"' for c in raw.columns)
    raw.create_view(f"{schema}_raw")
    con.execute(f"CREATE VIEW {name} AS SELECT {items} FROM {schema}_raw")
