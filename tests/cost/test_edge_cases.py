"""opsbook.cost on awkward CURs: no commitment columns, unknown line item types, one-day windows.

The CURs are real Parquet in the export layout, rewritten from the pinned sample into tmp_path
(one or two billing periods), so they go through the same engine as the sample itself.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pyarrow.parquet as pq
import pytest
from opsbook.cost import (
    allocation,
    anomalies,
    commitments,
    forecast,
    movers,
    review,
    spend,
    storage,
)
from opsbook.cost.query import COMMITMENT_LINE_ITEM_TYPES
from opsbook.errors import ConfigurationError
from opsbook.runner import read_records
from opsbook.settings import resolve
from support.notebooks import execute

pytestmark = pytest.mark.kernel  # starts notebook kernels

NOTEBOOKS = Path(__file__).resolve().parents[2] / "notebooks" / "cost"
COMMITMENT = ("savings_plan_", "reservation_")


def _source(sample_dir: Path, month: str) -> str:
    return str(next((sample_dir / "cur").glob(f"*/data/BILLING_PERIOD={month}/*.parquet")))


def _write_cur(root: Path, sample_dir: Path, months: list[str], select: str, where: str) -> Path:
    """Rewrite the sample's ``months`` as ``SELECT {select} ... WHERE {where}`` under ``root``."""
    for month in months:
        target = root / "cur" / "lean" / "data" / f"BILLING_PERIOD={month}" / "lean.parquet"
        target.parent.mkdir(parents=True)
        with duckdb.connect() as con:
            con.execute(
                f"COPY (SELECT {select} FROM read_parquet('{_source(sample_dir, month)}') "
                f"WHERE {where}) TO '{target}' (FORMAT parquet)"
            )
    return root


def _without_commitment_columns(sample_dir: Path) -> str:
    names = pq.read_schema(_source(sample_dir, "2026-10")).names
    return "* EXCLUDE (" + ", ".join(n for n in names if n.startswith(COMMITMENT)) + ")"


@pytest.fixture(scope="module")
def never_committed(sample_dir: Path, tmp_path_factory) -> Path:
    """Sep-Oct 2026 as an export that never had commitments: no such columns, no such rows."""
    types = ", ".join(f"'{t}'" for t in COMMITMENT_LINE_ITEM_TYPES)
    return _write_cur(
        tmp_path_factory.mktemp("never-committed"), sample_dir, ["2026-09", "2026-10"],
        _without_commitment_columns(sample_dir),
        f"line_item_line_item_type NOT IN ({types}) "
        "AND coalesce(reservation_reservation_a_r_n, '') = ''",
    )  # fmt: skip


def _direct(data_dir: Path, month: str, expression: str = "line_item_unblended_cost") -> float:
    files = str(data_dir / "cur" / "*" / "data" / f"BILLING_PERIOD={month}" / "*.parquet")
    with duckdb.connect() as con:
        return con.execute(f"SELECT sum({expression}) FROM read_parquet(?)", [files]).fetchone()[0]


def _settings(data_dir: Path):
    return resolve(backend="local", data_dir=str(data_dir), cache_dir="off")


def test_commitments_notebook_says_the_export_lacks_the_columns(never_committed, tmp_path):
    notebook = execute(
        NOTEBOOKS / "commitments.ipynb", tmp_path,
        {"backend": "local", "data_dir": str(never_committed), "month": "2026-10",
         "as_of": "2026-11-15"},
        cwd=NOTEBOOKS,
    )  # fmt: skip
    records = read_records(notebook)
    assert records["commitments_applicable"] is False
    for figure in ("commitment_cost", "unused_commitment_cost", "utilisation", "coverage"):
        assert records[figure] == "not applicable"
    message = records["findings"][0]
    assert "no Savings Plans / Reserved Instances columns" in message
    assert "no commitment line items" in message and "COST_AND_USAGE_REPORT" in message
    errors = [o for c in notebook.cells for o in c.get("outputs", []) if o.output_type == "error"]
    assert errors == []


def test_without_commitments_amortized_equals_unblended_and_reconciles(never_committed):
    settings = _settings(never_committed)
    direct = _direct(never_committed, "2026-10")
    monthly = review.review_month("2026-10", settings=settings)
    assert monthly.total == pytest.approx(direct, abs=0.01)
    assert monthly.figures()["previous_total"] == pytest.approx(
        _direct(never_committed, "2026-09"), abs=0.01
    )
    frame = spend.spend_by("service", "2026-10", basis="net_amortized", settings=settings)
    assert "no commitment columns" in frame.attrs["query"]["name"]
    assert monthly.movers.iloc[0]["service"] == "AmazonES"
    tags = allocation.tag_compliance("2026-10", settings=settings)
    assert tags["share"].between(0.5, 0.95).all()
    found = anomalies.review_anomalies("2026-10-01", "2026-11-01", settings=settings)
    assert len(found.daily) == 31
    transfer = storage.data_transfer("2026-10", settings=settings)
    assert transfer["cost"].sum() == pytest.approx(
        storage.data_transfer("2026-10", basis="unblended", settings=settings)["cost"].sum()
    )


def test_commitment_line_items_without_columns_refuse_amortized(sample_dir, tmp_path) -> None:
    lean = _write_cur(tmp_path, sample_dir, ["2026-10"], _without_commitment_columns(sample_dir),
                      "true")  # fmt: skip
    settings = _settings(lean)
    with pytest.raises(ConfigurationError, match=r"amortized cost cannot be computed.*"
                       r"\d+ DiscountedUsage.*basis='unblended'.*COST_AND_USAGE_REPORT"):  # fmt: skip
        spend.monthly_total("2026-10", settings=settings)
    assert spend.monthly_total("2026-10", basis="unblended", settings=settings) == pytest.approx(
        _direct(lean, "2026-10"), abs=0.01
    )
    found = commitments.review_commitments("2026-10", as_of="2026-11-15", settings=settings)
    assert not found.applicable and "Yet it has commitment line items" in found.message
    assert found.figures()["coverage"] == "not applicable"


@pytest.fixture(scope="module")
def one_day(sample_dir: Path, tmp_path_factory) -> Path:
    """October 2026 whole, then November's CUR as it stands after its first day."""
    root = tmp_path_factory.mktemp("one-day")
    _write_cur(root, sample_dir, ["2026-10"], "*", "true")
    return _write_cur(root, sample_dir, ["2026-11"], "*",
                      "line_item_usage_start_date < TIMESTAMP '2026-11-02'")  # fmt: skip


def test_a_month_seen_for_one_day_gives_spend_movers_and_a_forecast(one_day, sample_dir) -> None:
    settings = _settings(one_day)
    daily = spend.spend_by("service", "2026-11", grain="day", basis="unblended", settings=settings)
    assert set(daily["usage_day"].astype(str)) == {"2026-11-01"}
    assert daily["cost"].sum() == pytest.approx(_direct(one_day, "2026-11"), abs=0.01)
    moved = movers.top_movers("2026-11", top=1000, settings=settings)
    assert moved.attrs["days_compared"] == 1 and moved.attrs["partial"]
    # October's first day without the charges posted once for the whole month (dated the 1st)
    october_first = spend.spend_by("account_service", "2026-10", grain="day", postings="daily",
                                   settings=settings)  # fmt: skip
    first = october_first[october_first["usage_day"].astype(str) == "2026-10-01"]
    assert moved["previous_cost"].sum() == pytest.approx(first["cost"].sum(), abs=0.01)
    assert moved.attrs["monthly_postings"]["2026-10"] > 10_000
    fc = forecast.forecast_month_end("2026-11", settings=settings).iloc[0]
    october = spend.monthly_total("2026-10", settings=settings)
    assert fc["days_covered"] == 1
    assert fc["low"] < fc["forecast"] < fc["high"]
    assert 0.8 * october < fc["forecast"] < 1.2 * october, "29 more days like October's"


def test_a_cur_that_starts_this_month_gives_a_forecast_without_a_made_up_interval(
    sample_dir, tmp_path
) -> None:
    """Three days of history hold no weekly pattern to spread: the interval is unknown."""
    young = _write_cur(tmp_path, sample_dir, ["2026-11"], "*",
                       "line_item_usage_start_date < TIMESTAMP '2026-11-04'")  # fmt: skip
    outlook = forecast.forecast_month_end("2026-11", settings=_settings(young))
    figures = forecast.forecast_figures(outlook)
    assert figures["days_covered"] == 3 and figures["forecast"] > figures["actual_to_date"] > 0
    assert figures["low"] is None and figures["high"] is None


def test_a_one_day_window_is_judged_or_refused_clearly(sample_dir) -> None:
    settings = _settings(sample_dir)
    spike = anomalies.review_anomalies("2026-11-05", "2026-11-06", settings=settings)
    assert len(spike.daily) == 1 and spike.daily["anomalous"].tolist() == [True]
    assert spike.anomalies["days"].tolist() == [1]
    quiet = anomalies.review_anomalies("2026-11-08", "2026-11-09", settings=settings)  # a Sunday
    assert len(quiet.daily) == 1 and quiet.anomalies.empty
    with pytest.raises(ConfigurationError, match="end '2026-11-05' is not after start"):
        anomalies.review_anomalies("2026-11-05", "2026-11-05", settings=settings)
    past_the_cur = anomalies.review_anomalies("2026-11-20", "2026-11-21", settings=settings)
    assert past_the_cur.anomalies.empty and past_the_cur.daily.empty  # the CUR ends 11-14
    assert past_the_cur.status() == "SKIPPED", "a day the CUR does not have is not judged clean"


def test_unknown_line_item_types_are_counted_and_reported(sample_dir, tmp_path) -> None:
    cur = _write_cur(
        tmp_path, sample_dir, ["2026-10"],
        "* REPLACE (CASE WHEN line_item_product_code = 'AmazonCloudWatch' "
        "AND line_item_line_item_type = 'Usage' THEN 'MeteredFutureCharge' "
        "ELSE line_item_line_item_type END AS line_item_line_item_type)",
        "true",
    )  # fmt: skip
    settings = _settings(cur)
    monthly = review.review_month("2026-10", basis="unblended", settings=settings)
    assert monthly.total == pytest.approx(_direct(cur, "2026-10"), abs=0.01)
    unknown = _direct(cur, "2026-10", "CASE WHEN line_item_line_item_type = "
                      "'MeteredFutureCharge' THEN line_item_unblended_cost END")  # fmt: skip
    figures = monthly.figures()
    assert figures["unknown_line_item_types"] == {"MeteredFutureCharge": round(unknown, 2)}
    assert any("MeteredFutureCharge" in line for line in monthly.findings())
    assert monthly.status() == "FINDING"
    charges = monthly.charges.set_index("charge_group")
    assert charges.loc["unknown", "cost"] == pytest.approx(unknown, abs=0.01)
    amortized = review.review_month("2026-10", settings=settings)
    assert amortized.unknown_types["charge_type"].tolist() == ["MeteredFutureCharge"]
