"""The presentation layer: values written by meaning, tables nothing is cut from, one report shape."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from opsbook import present
from opsbook.cost.anomalies import AnomalyReport
from opsbook.cost.commitments import CommitmentReview
from opsbook.cost.review import MonthlyReview
from opsbook.cost.storage import StorageReview
from opsbook.present import ERROR, FINDING, PASS, SKIPPED, SectionError


@pytest.mark.parametrize(
    ("name", "value", "shown"),
    [
        pytest.param("unblended_cost", 283205.76, "$283,205.76", id="money"),
        pytest.param("usd_per_gb", 0.0123456, "$0.0123", id="a-price-keeps-its-digits"),
        pytest.param("change", -1088.02, "-$1,088.02", id="a-change-is-signed"),
        pytest.param("change_pct", 12.0, "+12.0%", id="a-change-in-points"),
        pytest.param("impact_pct", 109.26376455999683, "109.3%", id="percent-points"),
        pytest.param("attainment", 0.99935, "99.935%", id="never-rounded-to-100"),
        pytest.param("budget_remaining", -0.100899, "-10.1%", id="a-negative-share"),
        pytest.param("events", 216618302.0, "216,618,302", id="a-count-has-no-.0"),
        pytest.param("stored_bytes", 2.092239e05, "204.3 KB", id="no-scientific-notation"),
        pytest.param("restore_minutes", 95.5, "1 h 36 min", id="minutes"),
        pytest.param("p99_ms", 2900.0, "2,900 ms", id="milliseconds"),
        pytest.param("exhaustion_in_hours", math.inf, "∞", id="never"),
        pytest.param("account_id", 334455667788, "334455667788", id="an-id-is-text"),
        pytest.param("end", pd.NaT, "—", id="missing"),
        pytest.param("requests", pd.NA, "—", id="pandas-na"),
        pytest.param(
            "since", pd.Timestamp("2026-11-14T13:58Z"), "2026-11-14 13:58 UTC", id="a-time"
        ),
        pytest.param("usage_day", pd.Timestamp("2026-11-14"), "2026-11-14", id="a-day"),
        pytest.param("low_traffic", np.True_, "yes", id="a-flag"),
        pytest.param("alarms", ["a", "b"], "a, b", id="a-list"),
    ],
)
def test_values_are_written_by_what_they_mean(name: str, value: object, shown: str) -> None:
    assert present.format_value(value, name=name) == shown


def test_kinds_come_from_one_table_of_rules_and_can_be_given() -> None:
    assert present.kind_of("alarms", ["checkout-api-5xx"]).name == "text", "a rule fits its values"
    assert present.kind_of("alarms", 3).name == "count"
    assert present.kind_of("OnDemand", pd.Series([1.5])).name == "number"
    assert present.Kind.parse("duration:min").format(45) == "45 min"
    with pytest.raises(ValueError, match="unknown kind 'dollars'"):
        present.Kind.parse("dollars")
    assert all(isinstance(p, str) and isinstance(k, str) for p, k in present.RULES)


def test_a_table_cuts_nothing_hides_the_index_and_says_why_a_value_is_missing() -> None:
    finding = "Cost anomaly 2026-11-05: AmazonEC2 in shop-prod +$555 over expected, " * 3
    frame = pd.DataFrame(
        {"finding": [finding], "end": [pd.NaT], "cost": [np.nan], "status": ["ERROR"]},
        index=pd.Index([7]),
    )
    shown = present.table(frame, missing={"end": "still firing"})
    page = shown._repr_html_()
    assert finding.strip() in page and "…" not in page
    assert ">7<" not in page, "no index column"
    assert "— <span" in page and "(still firing)" in page
    assert shown.text.columns[0] == "status", "the status comes first"
    assert 'class="data row0 col0 error"' in page
    assert "nan" not in str(shown).lower().replace("finding", "")


def test_a_named_index_becomes_a_column_and_wide_or_long_tables_fold() -> None:
    named = present.table(pd.DataFrame({"value": [1]}, index=pd.Index(["a"], name="setting")))
    assert list(named.text.columns) == ["setting", "value"]
    wide = pd.DataFrame({f"c{i}": [i] for i in range(12)})
    page = present.table(wide, first=["c11"], columns=4)._repr_html_()
    assert "<summary>8 more columns: c3, c4, c5, c6, c7, c8, c9, c10</summary>" in page
    assert page.index(">c11<") < page.index(">c0<")
    long = present.table(pd.DataFrame({"n": range(30)}), rows=10)._repr_html_()
    assert "<summary>20 more rows</summary>" in long
    huge = present.table(pd.DataFrame({"n": range(600)}))._repr_html_()
    assert "575 more rows (475 shown here, 100 left out)" in huge, "a page stays light"
    assert "No rows." in present.table(pd.DataFrame({"n": []}))._repr_html_()
    said = present.table(present.annotate(pd.DataFrame({"n": []}), empty="No change given."))
    assert str(said) == "No change given."


def test_an_error_section_is_shown_as_itself() -> None:
    error = SectionError("changes", "cloudtrail:LookupEvents denied")
    assert present.table(error) is error
    assert present.derive(error, len) is error and present.derive([1, 2], len) == 2


def test_every_analysis_answers_in_one_shape() -> None:
    empty = pd.DataFrame()
    quiet = AnomalyReport(pd.DataFrame(columns=["anomaly_id"]), empty, empty)
    no_data = MonthlyReview("2026-10", "amortized", empty, empty, empty, empty, empty,
                            pd.DataFrame(columns=["charge_type", "cost"]), "no CUR line items")  # fmt: skip
    no_columns = CommitmentReview("2026-10", empty, empty, empty, "no columns")
    storage = StorageReview("2026-10", pd.DataFrame({"storage_class": ["Archive"], "cost": [9.0]}),
                            pd.DataFrame({"transfer_type": ["NAT gateway"], "cost": [3.0]}), empty)  # fmt: skip
    for report in (quiet, no_data, no_columns, storage):
        assert isinstance(report, present.Report)
        assert report.status() in present.STATUSES
        assert all(isinstance(line, str) for line in report.findings())
    assert [r.status() for r in (quiet, no_data, no_columns, storage)] == [
        PASS, SKIPPED, SKIPPED, PASS,
    ]  # fmt: skip
    assert present.worst([PASS, SKIPPED, FINDING]) == FINDING
    assert present.status_of(["x"], errors={"logs": "denied"}) == ERROR


def test_findings_and_an_overview_show_each_line_whole() -> None:
    storage = StorageReview("2026-10", pd.DataFrame({"storage_class": ["Archive"], "cost": [9.0]}),
                            pd.DataFrame({"transfer_type": ["NAT gateway"], "cost": [3.0]}),
                            pd.DataFrame())  # fmt: skip
    shown = present.findings(storage)
    assert str(shown).splitlines()[0] == "PASS"
    assert 'class="opsbook-status PASS"' in shown._repr_html_()
    anomalies = AnomalyReport(pd.DataFrame(columns=["anomaly_id"]), pd.DataFrame(), pd.DataFrame())
    overview = present.overview({"storage": storage, "cost": anomalies})
    assert overview.text["section"].tolist() == ["storage", "cost"]
    assert overview.text["findings"].iloc[0].count("\n") == 1, "each finding on its own line"
