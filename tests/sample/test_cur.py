from __future__ import annotations

import datetime as dt
import json
import math
import re
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from opsbook.errors import ConfigurationError
from opsbook.sample import org
from opsbook.sample.cur import CUR2_COLUMNS, write_cur
from opsbook.sample.cur import generator as cur_module  # ROWS_PER_FILE, _CHUNK_ROWS
from opsbook.sample.org import timeline
from support.sample import pinned_facts

AS_OF = dt.date(2026, 11, 15)
SEED = 7
PERIODS = ["2026-08", "2026-09", "2026-10", "2026-11"]

# Every column named in the CUR 2.0 table of the cost research (§2.1), split_line_item_* aside.
REFERENCE_COLUMNS = """
bill_billing_period_start_date bill_billing_period_end_date line_item_usage_start_date
line_item_usage_end_date bill_bill_type bill_billing_entity bill_invoice_id bill_invoicing_entity
bill_payer_account_id bill_payer_account_name identity_line_item_id identity_time_interval
line_item_line_item_type line_item_product_code line_item_usage_type line_item_operation
line_item_resource_id line_item_availability_zone line_item_legal_entity
line_item_line_item_description line_item_usage_account_id line_item_usage_account_name
line_item_currency_code line_item_tax_type line_item_iam_principal line_item_unblended_cost
line_item_net_unblended_cost line_item_blended_cost line_item_usage_amount
line_item_normalized_usage_amount line_item_normalization_factor line_item_unblended_rate
line_item_net_unblended_rate line_item_blended_rate pricing_public_on_demand_rate
pricing_public_on_demand_cost pricing_term pricing_unit pricing_purchase_option
pricing_offering_class pricing_lease_contract_length pricing_rate_code pricing_currency product
product_product_family product_servicecode product_instance_type product_instance_family
product_region_code product_from_location product_to_location product_from_region_code
product_to_region_code product_location product_location_type product_usagetype
product_operation product_sku product_fee_code reservation_reservation_a_r_n
reservation_start_time reservation_end_time reservation_subscription_id
reservation_effective_cost reservation_amortized_upfront_fee_for_billing_period
reservation_unused_amortized_upfront_fee_for_billing_period reservation_unused_recurring_fee
reservation_recurring_fee_for_usage reservation_amortized_upfront_cost_for_usage
reservation_net_effective_cost reservation_net_amortized_upfront_fee_for_billing_period
reservation_net_unused_amortized_upfront_fee_for_billing_period
reservation_net_unused_recurring_fee reservation_net_recurring_fee_for_usage
reservation_net_amortized_upfront_cost_for_usage savings_plan_savings_plan_a_r_n
savings_plan_offering_type savings_plan_payment_option savings_plan_purchase_term
savings_plan_region savings_plan_instance_type_family savings_plan_start_time
savings_plan_end_time savings_plan_savings_plan_effective_cost
savings_plan_total_commitment_to_date savings_plan_used_commitment
savings_plan_amortized_upfront_commitment_for_billing_period
savings_plan_recurring_commitment_for_billing_period savings_plan_savings_plan_rate
savings_plan_net_savings_plan_effective_cost resource_tags tags cost_category discount
discount_total_discount discount_bundled_discount
""".split()

AMORTIZED_SQL = """
SELECT billing_period,
  SUM(line_item_unblended_cost) AS unblended,
  SUM(CASE
    WHEN line_item_line_item_type = 'SavingsPlanCoveredUsage'
      THEN savings_plan_savings_plan_effective_cost
    WHEN line_item_line_item_type = 'SavingsPlanRecurringFee'
      THEN savings_plan_total_commitment_to_date - savings_plan_used_commitment
    WHEN line_item_line_item_type IN ('SavingsPlanNegation', 'SavingsPlanUpfrontFee') THEN 0
    WHEN line_item_line_item_type = 'DiscountedUsage' THEN reservation_effective_cost
    WHEN line_item_line_item_type = 'RIFee'
      THEN reservation_unused_amortized_upfront_fee_for_billing_period
           + reservation_unused_recurring_fee
    WHEN line_item_line_item_type = 'Fee' AND reservation_reservation_a_r_n <> '' THEN 0
    ELSE line_item_unblended_cost END) AS amortized,
  SUM(CASE
    WHEN line_item_line_item_type = 'SavingsPlanRecurringFee'
      THEN -savings_plan_amortized_upfront_commitment_for_billing_period
    WHEN line_item_line_item_type = 'RIFee'
      THEN -reservation_amortized_upfront_fee_for_billing_period
    ELSE 0 END) AS true_up,
  SUM(CASE
    WHEN line_item_line_item_type = 'SavingsPlanUpfrontFee' THEN line_item_unblended_cost
    WHEN line_item_line_item_type = 'Fee' AND reservation_reservation_a_r_n <> ''
      THEN line_item_unblended_cost
    ELSE 0 END) AS upfront
FROM cur GROUP BY billing_period ORDER BY billing_period
"""

USAGE_COST = """
CASE line_item_line_item_type
  WHEN 'DiscountedUsage' THEN reservation_effective_cost
  WHEN 'SavingsPlanCoveredUsage' THEN savings_plan_savings_plan_effective_cost
  ELSE line_item_unblended_cost END
"""


def export_dir(root: Path) -> Path:
    return root / "cur" / org.CUR_EXPORT


def connect(root: Path) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    files = (export_dir(root) / "data" / "*" / "*.parquet").as_posix()
    con.execute(
        f"CREATE VIEW cur AS SELECT * FROM read_parquet('{files}', hive_partitioning = true)"
    )
    return con


@pytest.fixture(scope="module")
def run(sample_dir: Path) -> tuple[Path, dict[str, Any]]:
    """The session's pinned sample and its CUR facts: its ``cur`` part is what ``write_cur``
    writes for this story and seed at scale 1 (each part is written on its own), so it is checked
    as generated, without a second copy."""
    return sample_dir, pinned_facts(sample_dir, AS_OF, SEED, {"cur"})["cur"]


@pytest.fixture(scope="module")
def small(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any]]:
    """An export at scale 0.05 (same seed), written once for the tests that compare with one."""
    root = tmp_path_factory.mktemp("cur-small")
    return root, write_cur(root, timeline(AS_OF), scale=0.05, seed=SEED)


@pytest.fixture(scope="module")
def con(run: tuple[Path, dict[str, Any]]) -> duckdb.DuckDBPyConnection:
    return connect(run[0])


def test_columns_and_types_match_cur2_schema(run: tuple[Path, dict[str, Any]]) -> None:
    root, _ = run
    files = sorted((export_dir(root) / "data").rglob("*.parquet"))
    assert files
    for path in files:
        schema = pq.read_schema(path)
        assert schema.names == list(CUR2_COLUMNS)
        for name, typ in CUR2_COLUMNS.items():
            assert schema.field(name).type == typ, name
    assert not set(REFERENCE_COLUMNS) - set(CUR2_COLUMNS)
    split = [name for name in CUR2_COLUMNS if name.startswith("split_line_item_")]
    assert len(split) == 11, "INCLUDE_SPLIT_COST_ALLOCATION_DATA adds the split_line_item_ columns"
    for name in (
        "line_item_unblended_rate",
        "line_item_net_unblended_rate",
        "line_item_blended_rate",
        "pricing_public_on_demand_rate",
        "reservation_start_time",
        "reservation_end_time",
        "savings_plan_start_time",
        "savings_plan_end_time",
    ):
        assert CUR2_COLUMNS[name] == pa.string(), name
    assert CUR2_COLUMNS["product"] == pa.map_(pa.string(), pa.string())
    assert CUR2_COLUMNS["discount"] == pa.map_(pa.string(), pa.float64())
    assert pa.types.is_timestamp(CUR2_COLUMNS["line_item_usage_start_date"])


def test_layout_partitions_and_manifests(run: tuple[Path, dict[str, Any]]) -> None:
    root, facts = run
    export = export_dir(root)
    folders = sorted(p.name for p in (export / "data").iterdir())
    assert folders == [f"BILLING_PERIOD={p}" for p in PERIODS]
    assert facts["billing_periods"] == PERIODS
    n_files = 0
    for period in PERIODS:
        data = export / "data" / f"BILLING_PERIOD={period}"
        names = sorted(p.name for p in data.iterdir())
        assert names and all(
            re.fullmatch(rf"{org.CUR_EXPORT}-\d{{5}}\.snappy\.parquet", n) for n in names
        )
        n_files += len(names)
        manifest_path = export / "metadata" / f"BILLING_PERIOD={period}"
        manifest = json.loads((manifest_path / f"{org.CUR_EXPORT}-Manifest.json").read_text())
        assert manifest["exportName"] == org.CUR_EXPORT
        assert [c["name"] for c in manifest["columns"]] == list(CUR2_COLUMNS)
        assert {c["type"] for c in manifest["columns"]} == {
            "string",
            "double",
            "timestamp",
            "map<string,string>",
            "map<string,double>",
        }
        assert [f.rsplit("/", 1)[1] for f in manifest["dataFiles"]] == names
        assert all(
            f.startswith("s3://") and f"/BILLING_PERIOD={period}/" in f
            for f in manifest["dataFiles"]
        )
        assert manifest["billingPeriod"]["start"].startswith(f"{period}-01T00:00:00")
        assert manifest["totalRowCount"] == sum(pq.read_metadata(data / n).num_rows for n in names)
    assert facts["files"] == n_files


def test_daily_granularity_and_time_window(con: duckdb.DuckDBPyConnection) -> None:
    bad = con.execute(
        """SELECT count(*) FROM cur WHERE line_item_line_item_type IN
             ('Usage', 'DiscountedUsage', 'SavingsPlanCoveredUsage', 'SavingsPlanNegation',
              'SavingsPlanRecurringFee', 'EdpDiscount')
           AND (line_item_usage_start_date <> date_trunc('day', line_item_usage_start_date)
             OR line_item_usage_end_date <> line_item_usage_start_date + INTERVAL 1 DAY
             OR identity_time_interval <> strftime(line_item_usage_start_date, '%Y-%m-%dT00:00:00Z')
                || '/' || strftime(line_item_usage_end_date, '%Y-%m-%dT00:00:00Z')
             OR strftime(line_item_usage_start_date, '%Y-%m') <> billing_period)"""
    ).fetchone()[0]
    assert bad == 0
    first, last = con.execute(
        "SELECT min(line_item_usage_start_date), max(line_item_usage_start_date) FROM cur"
    ).fetchone()
    assert first == dt.datetime(2026, 8, 1)
    assert last == dt.datetime(2026, 11, 14)
    invoices = dict(
        con.execute("SELECT billing_period, max(bill_invoice_id) FROM cur GROUP BY 1").fetchall()
    )
    assert invoices["2026-11"] == "" and all(invoices[p] for p in PERIODS[:3])


def test_all_line_item_types_present(con: duckdb.DuckDBPyConnection) -> None:
    types = {
        r[0] for r in con.execute("SELECT DISTINCT line_item_line_item_type FROM cur").fetchall()
    }
    assert {
        "Usage",
        "DiscountedUsage",
        "RIFee",
        "Fee",
        "SavingsPlanCoveredUsage",
        "SavingsPlanNegation",
        "SavingsPlanRecurringFee",
        "Credit",
        "Refund",
        "Tax",
        "EdpDiscount",
    } <= types
    # The RI upfront purchase: a Fee with an RI ARN, billed once, on a Purchase bill.
    purchases = con.execute(
        """SELECT billing_period, bill_bill_type, line_item_unblended_cost FROM cur
           WHERE line_item_line_item_type = 'Fee' AND reservation_reservation_a_r_n <> ''"""
    ).fetchall()
    assert len(purchases) == 1 and purchases[0][1] == "Purchase" and purchases[0][2] > 0
    # Discounted usage is free on the bill; its cost lives in the effective cost.
    row = con.execute(
        """SELECT max(abs(line_item_unblended_cost)), min(reservation_effective_cost),
                  count(DISTINCT reservation_reservation_a_r_n)
           FROM cur WHERE line_item_line_item_type = 'DiscountedUsage'"""
    ).fetchone()
    assert row[0] == 0 and row[1] > 0 and row[2] == 2
    # Negations cancel covered usage; the plan is never used beyond its commitment.
    covered, negated, over = con.execute(
        """SELECT
             sum(line_item_unblended_cost) FILTER (line_item_line_item_type
                                                  = 'SavingsPlanCoveredUsage'),
             sum(line_item_unblended_cost) FILTER (line_item_line_item_type
                                                  = 'SavingsPlanNegation'),
             count(*) FILTER (line_item_line_item_type = 'SavingsPlanRecurringFee'
                              AND savings_plan_used_commitment
                                  > savings_plan_total_commitment_to_date)
           FROM cur"""
    ).fetchone()
    assert covered > 0 and math.isclose(covered, -negated) and over == 0
    spot = con.execute(
        """SELECT count(*) FROM cur WHERE line_item_usage_type LIKE '%SpotUsage%'
           AND line_item_unblended_cost < pricing_public_on_demand_cost * 0.5"""
    ).fetchone()[0]
    assert spot > 0
    edp = con.execute(
        """SELECT sum(line_item_unblended_cost) FILTER (line_item_line_item_type = 'EdpDiscount'),
                  sum(discount_total_discount),
                  sum(line_item_unblended_cost) FILTER (line_item_line_item_type = 'Usage')
           FROM cur"""
    ).fetchone()
    assert math.isclose(edp[0], edp[1]) and math.isclose(-edp[0] / edp[2], 0.03)


def test_amortized_reconciliation_identity(con: duckdb.DuckDBPyConnection) -> None:
    rows = con.execute(AMORTIZED_SQL).fetchall()
    assert [r[0] for r in rows] == PERIODS
    for period, unblended, amortized, true_up, upfront in rows:
        assert unblended == pytest.approx(amortized + true_up + upfront, abs=0.01), period
        assert true_up < 0  # RI upfront is amortized every month
    assert sum(r[4] for r in rows) > 0  # the RI purchase month has an upfront fee
    # Net cost: EDP is netted on usage rows, so net and gross totals reconcile too.
    net, gross = con.execute(
        "SELECT sum(line_item_net_unblended_cost), sum(line_item_unblended_cost) FROM cur"
    ).fetchone()
    assert net == pytest.approx(gross, abs=0.01)


def test_totals_match_facts(
    run: tuple[Path, dict[str, Any]], con: duckdb.DuckDBPyConnection
) -> None:
    _, facts = run
    totals = dict(
        con.execute(
            "SELECT billing_period, sum(line_item_unblended_cost) FROM cur GROUP BY 1"
        ).fetchall()
    )
    for period, total in facts["total_unblended_by_period"].items():
        assert totals[period] == pytest.approx(total, abs=0.01)
    assert facts["rows"] == con.execute("SELECT count(*) FROM cur").fetchone()[0]
    json.dumps(facts)  # JSON-serialisable


def test_nat_gateway_anomaly(
    run: tuple[Path, dict[str, Any]], con: duckdb.DuckDBPyConnection
) -> None:
    _, facts = run
    story = timeline(AS_OF)
    daily = dict(
        con.execute(
            f"""SELECT CAST(line_item_usage_start_date AS DATE), sum(line_item_unblended_cost)
                FROM cur WHERE line_item_usage_type = 'USE1-NatGateway-Bytes'
                  AND line_item_usage_account_id = '{org.SHOP_PROD.id}'
                  AND line_item_line_item_type = 'Usage'
                GROUP BY 1"""
        ).fetchall()
    )
    spike = daily.pop(story.cost_anomaly_day)
    others = sorted(daily.values())
    median = others[len(others) // 2]
    assert spike > 5 * median
    assert spike > 1.5 * max(others)  # clearly above the weekly pattern, not a weekday peak
    anomaly = facts["anomaly"]
    assert anomaly["day"] == story.cost_anomaly_day.isoformat()
    assert anomaly["usage_type"] == "USE1-NatGateway-Bytes"
    assert anomaly["account_name"] == "shop-prod"
    assert 300 < anomaly["extra_cost_usd"] < 1000
    assert anomaly["cost_usd"] == pytest.approx(spike, abs=0.01)


def test_opensearch_mover(run: tuple[Path, dict[str, Any]], con: duckdb.DuckDBPyConnection) -> None:
    _, facts = run
    monthly = dict(
        con.execute(
            """SELECT billing_period, sum(line_item_unblended_cost) FROM cur
               WHERE line_item_product_code = 'AmazonES' AND line_item_line_item_type = 'Usage'
                 AND line_item_usage_account_name = 'data-platform'
               GROUP BY 1"""
        ).fetchall()
    )
    assert monthly["2026-10"] > 2.5 * monthly["2026-09"]
    assert monthly["2026-09"] == pytest.approx(monthly["2026-08"], rel=0.1)
    # It stays up: the open month's daily run rate is still ~3x September's.
    assert monthly["2026-11"] / 14 > 2.5 * monthly["2026-09"] / 30
    mover = facts["mover"]
    assert mover["month"] == "2026-10" and mover["previous_month"] == "2026-09"
    assert mover["new_cost_usd"] == pytest.approx(monthly["2026-10"], abs=0.01)
    assert mover["previous_cost_usd"] == pytest.approx(monthly["2026-09"], abs=0.01)


def test_tags_and_untagged_share(con: duckdb.DuckDBPyConnection) -> None:
    share = con.execute(
        f"""SELECT sum({USAGE_COST}) FILTER (cardinality(resource_tags) = 0) / sum({USAGE_COST})
            FROM cur WHERE line_item_line_item_type
              IN ('Usage', 'DiscountedUsage', 'SavingsPlanCoveredUsage')"""
    ).fetchone()[0]
    assert 0.12 <= share <= 0.30
    keys = {
        r[0]
        for r in con.execute("SELECT DISTINCT unnest(map_keys(resource_tags)) FROM cur").fetchall()
    }
    user = {"user_app", "user_env", "user_owner", "user_cost_center", "user_data_class"}
    assert keys == user | {"aws_ecs_cluster_name", "aws_ecs_service_name"}, "+ ECS split rows'"
    partial = con.execute(
        """SELECT count(DISTINCT line_item_resource_id) FROM cur
           WHERE cardinality(resource_tags) > 0 AND resource_tags['user_owner'] IS NULL"""
    ).fetchone()[0]
    assert partial > 10
    units = {
        r[0]
        for r in con.execute("SELECT DISTINCT cost_category['BusinessUnit'] FROM cur").fetchall()
    }
    assert units == {"Retail", "Data", "Platform"}


def test_catalogue_breadth(con: duckdb.DuckDBPyConnection) -> None:
    accounts = con.execute(
        """SELECT count(DISTINCT line_item_usage_account_id),
                  count(DISTINCT line_item_usage_account_name),
                  count(DISTINCT line_item_product_code),
                  count(DISTINCT bill_payer_account_id)
           FROM cur"""
    ).fetchone()
    assert accounts[0] == accounts[1] == len(org.ACCOUNTS) and accounts[3] == 1
    assert accounts[2] >= 15
    usage_types = {
        r[0] for r in con.execute("SELECT DISTINCT line_item_usage_type FROM cur").fetchall()
    }
    assert {
        "USE1-BoxUsage:m5.large",
        "USE1-SpotUsage:c5.xlarge",
        "USE1-TimedStorage-ByteHrs",
        "USE1-TimedStorage-SIA-ByteHrs",
        "USE1-TimedStorage-GIR-ByteHrs",
        "USE1-TimedStorage-GDA-ByteHrs",
        "USE1-DataTransfer-Regional-Bytes",
        "USE1-EU-AWS-Out-Bytes",
        "USE1-DataTransfer-Out-Bytes",
        "USE1-NatGateway-Bytes",
        "USE1-NatGateway-Hours",
        "USE1-Lambda-GB-Second",
        "USE1-Request",
        "EU-BoxUsage:c5.large",
    } <= usage_types
    transfer = {
        r[0]
        for r in con.execute(
            """SELECT DISTINCT product['transfer_type'] FROM cur
               WHERE line_item_usage_type LIKE '%Bytes'"""
        ).fetchall()
    }
    assert {"IntraRegion", "InterRegion Outbound", "AWS Outbound"} <= transfer
    assert (
        con.execute(
            "SELECT count(*) FROM cur WHERE line_item_resource_id LIKE 'i-%' "
            "AND line_item_availability_zone LIKE 'us-east-1_'"
        ).fetchone()[0]
        > 0
    )


def test_weekday_seasonality(con: duckdb.DuckDBPyConnection) -> None:
    weekday, weekend = con.execute(
        """WITH daily AS (
             SELECT line_item_usage_start_date AS day, sum(line_item_unblended_cost) AS cost
             FROM cur WHERE line_item_line_item_type = 'Usage'
               AND (line_item_usage_type LIKE '%Usage:%' OR line_item_usage_type LIKE '%Request%')
             GROUP BY 1)
           SELECT avg(cost) FILTER (isodow(day) <= 5), avg(cost) FILTER (isodow(day) > 5)
           FROM daily"""
    ).fetchone()
    assert weekday > 1.15 * weekend


def test_deterministic_and_seed_sensitive(
    small: tuple[Path, dict[str, Any]], tmp_path: Path
) -> None:
    story = timeline(AS_OF)
    root, a = small
    b = write_cur(tmp_path / "b", story, scale=0.05, seed=SEED)
    c = write_cur(tmp_path / "c", story, scale=0.05, seed=SEED + 1)
    json.dumps(a)  # JSON-serialisable
    assert a == b
    assert a["total_unblended_by_period"] != c["total_unblended_by_period"]
    first = sorted((export_dir(root) / "data").rglob("*.parquet"))[0]
    second = export_dir(tmp_path / "b") / first.relative_to(export_dir(root))
    assert pq.read_table(first).equals(pq.read_table(second))


def test_scale_multiplies_rows(
    run: tuple[Path, dict[str, Any]], small: tuple[Path, dict[str, Any]], tmp_path: Path
) -> None:
    rows = {0.05: small[1]["rows"], 1.0: run[1]["rows"]}
    rows[0.5] = write_cur(tmp_path, timeline(AS_OF), scale=0.5, seed=SEED)["rows"]
    # Linear: each step of scale adds the same rows per unit of scale (within the rounding of
    # resource counts at small scales) ...
    per_unit = (rows[1.0] - rows[0.5]) / 0.5
    assert 0.9 < per_unit / ((rows[0.5] - rows[0.05]) / 0.45) < 1.1
    # ... and only the handful of story resources (NAT, RDS, RIs, ...) do not scale: doubling
    # scale 1 would give 1.8 to 2.05 times its rows.
    assert 1.8 < (rows[1.0] + per_unit) / rows[1.0] < 2.05


def test_files_roll_over(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cur_module, "ROWS_PER_FILE", 5_000)
    facts = write_cur(tmp_path, timeline(AS_OF), scale=0.2, seed=SEED)
    data = export_dir(tmp_path) / "data" / "BILLING_PERIOD=2026-08"
    files = sorted(data.iterdir())
    assert len(files) >= 3
    assert all(pq.read_metadata(f).num_rows <= 5_000 for f in files)
    manifest = json.loads(
        (
            export_dir(tmp_path)
            / "metadata"
            / "BILLING_PERIOD=2026-08"
            / f"{org.CUR_EXPORT}-Manifest.json"
        ).read_text()
    )
    assert len(manifest["dataFiles"]) == len(files)
    assert facts["rows"] == connect(tmp_path).execute("SELECT count(*) FROM cur").fetchone()[0]


def test_large_scale_chunking_keeps_invariants(
    small: tuple[Path, dict[str, Any]], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Above ~scale 125 one day no longer fits a chunk and the lines are sliced; force that here
    # (at scale 0.05 a day has 224 lines, 81 of them fixed: two slices a day).
    monkeypatch.setattr(cur_module, "_CHUNK_ROWS", 150)
    facts = write_cur(tmp_path, timeline(AS_OF), scale=0.05, seed=SEED)
    con = connect(tmp_path)
    for period, unblended, amortized, true_up, upfront in con.execute(AMORTIZED_SQL).fetchall():
        assert unblended == pytest.approx(amortized + true_up + upfront, abs=0.01), period
    fees_per_day = con.execute(
        """SELECT max(n), count(*) FROM (SELECT count(*) AS n FROM cur
           WHERE line_item_line_item_type = 'SavingsPlanRecurringFee' GROUP BY
           line_item_usage_start_date)"""
    ).fetchone()
    assert fees_per_day == (1, (AS_OF - dt.date(2026, 8, 1)).days)
    _, reference = small  # the same export, written unsliced
    usage_rows = facts["line_item_types"]["Usage"]
    assert usage_rows == pytest.approx(reference["line_item_types"]["Usage"], rel=0.02)
    assert facts["anomaly"]["factor"] > 5


def test_no_open_partition_on_the_first_of_the_month(tmp_path: Path) -> None:
    facts = write_cur(tmp_path, timeline(dt.date(2026, 11, 1)), scale=0.05, seed=SEED)
    assert facts["billing_periods"] == ["2026-08", "2026-09", "2026-10"]
    assert facts["mover"]["current_month"] is None
    folders = sorted(p.name for p in (export_dir(tmp_path) / "data").iterdir())
    assert folders == ["BILLING_PERIOD=2026-08", "BILLING_PERIOD=2026-09", "BILLING_PERIOD=2026-10"]


@pytest.mark.parametrize("scale", [0, -1.0, 10_001, math.nan, math.inf, "2", True])
def test_bad_scale_raises(tmp_path: Path, scale: Any) -> None:
    with pytest.raises(ConfigurationError, match="scale"):
        write_cur(tmp_path, timeline(AS_OF), scale=scale)
    assert not (tmp_path / "cur").exists()
