"""The local backend over the session's sample organisation (as of 2026-11-15)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest
from opsbook import athena, logs, metrics
from opsbook.backends import frames
from opsbook.errors import ConfigurationError, NoDataError, QueryFailedError
from opsbook.settings import resolve


@pytest.fixture
def settings(sample_dir: Path):
    return resolve(backend="local", data_dir=str(sample_dir))


def test_billing_periods_are_the_three_closed_months_and_the_current_one(settings) -> None:
    periods = athena.describe_cur(settings=settings)
    assert periods.billing_period.tolist() == ["2026-08", "2026-09", "2026-10", "2026-11"]
    assert (periods.accounts == 6).all()
    assert (periods.services >= 12).all()
    closed = periods.set_index("billing_period").unblended_cost
    assert closed["2026-11"] < closed["2026-10"], "the current month is partial (14 days)"
    assert str(periods.last_usage.max()) == "2026-11-15 00:00:00"


def test_values_are_bound_not_formatted(settings) -> None:
    rows = athena.query(
        "cur/cost_by_service",
        {"start_period": "2026-12' OR '1'='1", "end_period": "2026-12"},
        settings=settings,
    )
    assert rows.empty, "a hostile value is compared as a value, never run as SQL"
    rows = athena.query(
        "cur/cost_by_service",
        {"start_period": "2026-09", "end_period": "2026-10"},
        settings=settings,
    )
    assert set(rows.billing_period) == {"2026-09", "2026-10"}
    top = rows[rows.billing_period == "2026-10"].iloc[0]
    assert top.unblended_cost == rows[rows.billing_period == "2026-10"].unblended_cost.max()


def test_a_failing_query_is_a_query_error(settings) -> None:
    from opsbook.backends.local import cur as local

    with pytest.raises(QueryFailedError, match="no_such_column"):
        local.run_cur_query("SELECT no_such_column FROM cur", {}, settings)


def test_missing_or_ambiguous_data_says_what_to_do(settings, tmp_path: Path) -> None:
    with pytest.raises(NoDataError, match="does not exist: run `opsbook sample generate`"):
        athena.describe_cur(settings=settings.replace(data_dir=str(tmp_path / "nope")))
    with pytest.raises(NoDataError, match="no CUR export under"):
        athena.describe_cur(settings=settings.replace(data_dir=str(tmp_path)))
    two = tmp_path / "two"
    shutil.copytree(settings.data_dir / "cur", two / "cur" / "a" / "..", dirs_exist_ok=True)
    (two / "cur" / "second-export").mkdir()
    with pytest.raises(ConfigurationError, match="set cur_export"):
        athena.describe_cur(settings=settings.replace(data_dir=str(two)))
    with pytest.raises(NoDataError, match="no CUR export 'other'"):
        athena.describe_cur(settings=settings.replace(data_dir=str(two), cur_export="other"))


def test_log_groups_from_both_delivery_formats(settings) -> None:
    groups = logs.describe_log_groups(settings=settings).set_index("log_group")
    assert sorted(groups.index) == [
        "/aws/apigateway/shop-public-api/access",
        "/aws/lambda/catalog-api-handler",
        "/aws/lambda/orders-worker",
        "/ecs/checkout-api",
    ]
    assert groups.loc["/aws/apigateway/shop-public-api/access", "format"] == "firehose"
    assert groups.loc["/ecs/checkout-api", "format"] == "export"
    assert (groups.events > 1000).all()
    assert groups.first_event.min() >= pd.Timestamp("2026-11-08", tz="UTC")
    assert groups.last_event.max() < pd.Timestamp("2026-11-15", tz="UTC")


def test_metric_namespaces_from_metric_streams(settings) -> None:
    namespaces = metrics.describe_namespaces(settings=settings)
    assert namespaces.namespace.tolist() == [
        "AWS/ApiGateway", "AWS/ApplicationELB", "AWS/ECS", "AWS/Lambda", "AWS/RDS",
    ]  # fmt: skip
    assert namespaces.dtypes.to_dict() == frames.namespaces_frame([]).dtypes.to_dict()
    lambda_ = namespaces.set_index("namespace").loc["AWS/Lambda"]
    assert lambda_.series == 10, "5 metrics for each of 2 functions"
    assert str(namespaces["first"].min()) == "2026-10-16 00:00:00+00:00"
