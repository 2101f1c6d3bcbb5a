from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio
import pytest
from opsbook import charts
from opsbook.cost import charts as cost_charts
from opsbook.ops import charts as ops_charts
from opsbook.present import SectionError
from opsbook.slo import charts as slo_charts
from support.chart_rules import chart_problems


def assert_readable(figure: go.Figure) -> None:
    """Every value axis has a unit, a log axis says so, no axis overlays another, a title."""
    assert chart_problems(figure.to_plotly_json()) == []


def test_monthly_cost_draws_one_bar_per_period() -> None:
    frame = pd.DataFrame(
        {"billing_period": ["2026-09", "2026-10"], "unblended_cost": [10.0, 1234.5]}
    )
    figure = charts.monthly_cost(frame)
    assert list(figure.data[0].x) == ["2026-09", "2026-10"]
    assert list(figure.data[0].text) == ["$10", "$1,234"]
    assert figure.layout.title.text.endswith("2026-09 to 2026-10")
    assert_readable(figure)


def test_log_events_sorts_groups_by_volume() -> None:
    frame = pd.DataFrame({"log_group": ["/a", "/b"], "events": [5, 2]})
    figure = charts.log_events(frame)
    assert list(figure.data[0].y) == ["/b", "/a"]
    assert_readable(figure)


def test_figures_display_as_plotly_json_only() -> None:
    assert pio.templates.default == charts.THEME
    # No plotly.js in a notebook: JupyterLab draws the JSON, the published page adds plotly.js.
    assert pio.renderers.default == "plotly_mimetype"
    frame = pd.DataFrame({"billing_period": ["2026-10"], "unblended_cost": [1.0]})
    bundle = pio.renderers["plotly_mimetype"].to_mimebundle(charts.monthly_cost(frame).to_dict())
    assert list(bundle) == ["application/vnd.plotly.v1+json"]


def test_a_name_keeps_its_colour_and_a_chart_never_repeats_one() -> None:
    names = ["checkout-api", "catalog-api", "orders-worker", "inventory-sync", "payments"]
    once = charts.colours(names)
    assert charts.colours(reversed(names)) == once, "the same names, the same colours"
    assert len(set(once.values())) == len(names)
    alone = charts.colours(["checkout-api"])["checkout-api"]
    assert alone == charts.colour("checkout-api"), "a name's own colour when nothing takes it"
    assert set(once.values()) <= set(charts.PALETTE)
    assert charts.WARNING not in charts.PALETTE and charts.OTHER not in charts.PALETTE
    nine = charts.colours([f"service-{i}" for i in range(8)] + ["other"])
    assert len(set(nine.values())) == 9 and nine["other"] == charts.OTHER


def test_a_service_has_one_colour_in_every_cost_chart() -> None:
    frame = pd.DataFrame({
        "billing_period": ["2026-09", "2026-09", "2026-10", "2026-10"],
        "service": ["AmazonEC2", "AmazonES", "AmazonEC2", "AmazonES"],
        "cost": [10.0, 4.0, 12.0, 5.0],
    })  # fmt: skip
    stack = cost_charts.spend_stack(frame, "service")
    shares = cost_charts.share_bar(frame.iloc[2:], "service", "cost", title="Cost, 2026-10")
    by_trace = {t.name: t.marker.color for t in stack.data}
    assert dict(zip(shares.data[0].y, shares.data[0].marker.color, strict=True)) == by_trace
    assert len(set(by_trace.values())) == 2
    assert_readable(stack)
    assert_readable(shares)


def test_unit_cost_uses_two_panels_not_a_second_axis() -> None:
    frame = pd.DataFrame({
        "date": pd.to_datetime(["2026-11-01", "2026-11-02"]), "cost": [10.0, 12.0],
        "requests": [1e6, 2e6], "cost_per_unit": pd.array([10.0, None], "Float64"),
        "status": ["ok", "no request data"],
    })  # fmt: skip
    frame.attrs.update(per=1_000_000, tag="App=catalog-api")
    figure = cost_charts.unit_cost_line(frame)
    assert {t.yaxis for t in figure.data} == {"y", "y2"}
    assert figure.layout.yaxis2.domain != figure.layout.yaxis.domain, "stacked, not overlaid"
    assert figure.layout.title.text.endswith("2026-11-01 to 2026-11-02")
    assert_readable(figure)


def test_restore_times_are_linear_unless_they_span_a_hundredfold() -> None:
    incidents = pd.DataFrame({
        "service": ["a", "b"], "started": pd.to_datetime(["2026-11-01", "2026-11-02"], utc=True),
        "minutes": [20.0, 60.0], "alarms": ["x", "y"],
    })  # fmt: skip
    linear = ops_charts.time_to_restore(incidents)
    assert linear.layout.yaxis.type is None and linear.layout.yaxis.title.text.endswith("(minutes)")
    wide = ops_charts.time_to_restore(incidents.assign(minutes=[2.0, 600.0]))
    assert wide.layout.yaxis.type == "log"
    assert list(wide.layout.yaxis.ticktext) == ["1 min", "2 min", "5 min", "10 min", "20 min",
                                               "30 min", "1 h", "2 h", "4 h", "8 h"]  # fmt: skip
    assert_readable(linear)
    assert_readable(wide)


@pytest.mark.parametrize(
    "figure",
    [
        pytest.param(
            slo_charts.budget_burn_down(
                pd.DataFrame(
                    {
                        "slo": ["a", "a", "b"],
                        "remaining": [1.0, 0.9, 0.5],
                        "timestamp": pd.date_range("2026-11-01", periods=3, freq="h", tz="UTC"),
                    }
                )
            ),
            id="burn-down",
        ),  # fmt: skip
        pytest.param(
            ops_charts.deployments_per_week(
                pd.DataFrame(
                    {
                        "account_id": ["1", "1"],
                        "service": ["a", "b"],
                        "week": pd.to_datetime(["2026-11-02", "2026-11-09"]),
                        "deployments": [3, 5],
                    }
                )
            ),
            id="deployments",
        ),  # fmt: skip
        pytest.param(
            ops_charts.flapping_alarms(
                pd.DataFrame({"alarm_name": ["x"], "changes_per_day": [3.5]})
            ),
            id="flapping",
        ),
        pytest.param(
            ops_charts.cloudwatch_spend(
                pd.DataFrame({"kind": ["logs ingestion"], "unblended_cost": [12.5]}), "2026-10"
            ),
            id="cloudwatch-spend",
        ),  # fmt: skip
    ],
)
def test_every_chart_names_its_units(figure: go.Figure) -> None:
    assert_readable(figure)


def test_a_failed_section_draws_as_an_error_saying_why() -> None:
    figure = ops_charts.flapping_alarms(SectionError("alarm history", "DescribeAlarmHistory: 500"))
    assert figure.layout.annotations[0].text == "ERROR alarm history: DescribeAlarmHistory: 500"
    assert figure.layout.xaxis.visible is False


def test_the_rules_catch_a_chart_that_misleads() -> None:
    bad = go.Figure([go.Bar(y=[1, 2]), go.Scatter(y=[3, 4], yaxis="y2")])
    bad.update_layout(
        title="Cost", yaxis={"type": "log", "title": "minutes"}, yaxis2={"overlaying": "y"}
    )
    found = chart_problems(bad.to_plotly_json())
    assert found == [
        "Cost: yaxis has no unit ('minutes')",
        "Cost: yaxis is logarithmic without saying so ('minutes')",
        "Cost: yaxis2 has no unit ('')",
        "Cost: yaxis2 is drawn over y",
    ]
