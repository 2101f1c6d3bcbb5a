"""Generated burn-rate alarms: valid CloudFormation (cfn-lint) with the right windows and maths."""

from __future__ import annotations

import datetime as dt

import pytest
import yaml
from cfnlint.api import lint_all
from opsbook.sample.org import timeline
from opsbook.sample.slos import write_slos
from opsbook.slo.alerts import alarm_template, render_template
from opsbook.slo.spec import load_slos


@pytest.fixture(scope="module")
def sample_slos(tmp_path_factory: pytest.TempPathFactory) -> list:
    root = tmp_path_factory.mktemp("slos")
    write_slos(root, timeline(dt.date(2026, 11, 15)))
    return load_slos(root / "slos.yaml")


def test_template_is_valid_cloudformation(sample_slos: list) -> None:
    text = render_template(sample_slos)
    # Errors and warnings; informational rules (I...) are advice, as for `cfn-lint` exit codes.
    matches = [m for m in lint_all(text) if m.rule.id[0] in "EW"]
    assert matches == [], "\n".join(str(m) for m in matches)
    resources = yaml.safe_load(text)["Resources"]
    composites = [r for r in resources.values() if r["Type"] == "AWS::CloudWatch::CompositeAlarm"]
    assert len(composites) == 9 and len(resources) == 27


def test_request_based_alarm_is_a_ratio_of_sums_over_the_window(sample_slos: list) -> None:
    resources = alarm_template(sample_slos)["Resources"]
    fast = resources["ApiAvailabilityFastLong"]["Properties"]
    assert fast["Threshold"] == 14.4
    assert [m["MetricStat"]["Period"] for m in fast["Metrics"][:2]] == [3600, 3600]
    assert fast["Metrics"][2]["Expression"] == "(bad / total) / 0.001"
    catalog = resources["CatalogLambdaSuccessMediumLong"]["Properties"]
    assert (
        catalog["Threshold"] == pytest.approx(5.6)
        and catalog["Metrics"][0]["MetricStat"]["Period"] == 21600
    )
    rule = resources["ApiAvailabilityFast"]["Properties"]["AlarmRule"]["Fn::Sub"]
    assert rule == 'ALARM("${ApiAvailabilityFastLong}") AND ALARM("${ApiAvailabilityFastShort}")'


def test_three_day_window_is_capped_at_one_day_with_the_tier_threshold(sample_slos: list) -> None:
    resources = alarm_template(sample_slos)["Resources"]
    slow = resources["ApiAvailabilitySlowLong"]["Properties"]
    assert slow["Metrics"][0]["MetricStat"]["Period"] == 86400 and slow["Threshold"] == 1.0
    assert "capped at 1 day" in resources["ApiAvailabilitySlow"]["Properties"]["AlarmDescription"]


def test_time_slice_alarm_counts_bad_minutes(sample_slos: list) -> None:
    resources = alarm_template(sample_slos)["Resources"]
    fast = resources["CheckoutLatencyFastLong"]["Properties"]
    # burn > 14.4 over 60 one-minute slices at 99%: more than 8.64 bad minutes, so 9 of 60.
    assert (fast["EvaluationPeriods"], fast["DatapointsToAlarm"]) == (60, 9)
    assert fast["Metrics"][-1]["Expression"] == "IF(m1 < 0.5, 0, 1)"
    assert fast["Metrics"][0]["MetricStat"]["Stat"] == "p99"
    slow = resources["CheckoutLatencySlowLong"]["Properties"]
    assert slow["EvaluationPeriods"] * 60 <= 86400
