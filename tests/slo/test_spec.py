"""OpenSLO v1 parsing: the sample spec reads back, and bad fields are named by path."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import yaml
from opsbook.errors import ConfigurationError
from opsbook.sample.org import timeline
from opsbook.sample.slos import write_slos
from opsbook.slo.spec import EXAMPLE, MetricSource, SpecError, load_slos, parse_slos


def test_sample_spec_has_the_three_slos(tmp_path: Path) -> None:
    facts = write_slos(tmp_path, timeline(dt.date(2026, 11, 15)))
    slos = {s.name: s for s in load_slos(tmp_path / facts["file"])}
    api, latency, catalog = (
        slos["api-availability"],
        slos["checkout-latency"],
        slos["catalog-lambda-success"],
    )
    assert (api.target, api.window.text, api.window.rolling, api.budgeting) == (
        0.999,
        "30d",
        True,
        "Occurrences",
    )
    assert api.bad.queries == (("m1", "AWS/ApiGateway 5XXError ApiName=shop-public-api stat=Sum"),)
    assert (latency.kind, latency.op, latency.value, latency.target) == (
        "threshold",
        "lt",
        0.5,
        0.99,
    )
    assert latency.metric.queries[0][1].endswith("stat=p99")
    assert (catalog.target, catalog.window.duration) == (0.9995, dt.timedelta(days=28))


@pytest.mark.parametrize(
    ("edit", "path"),
    [
        (lambda d: d["spec"]["objectives"][0].update(target=1.5), "slos[0].spec.objectives[0].target"),
        (lambda d: d["spec"].update(budgetingMethod="Monthly"), "slos[0].spec.budgetingMethod"),
        (lambda d: d["spec"]["timeWindow"][0].update(duration="30x"), "slos[0].spec.timeWindow[0].duration"),
        (lambda d: d["spec"]["indicator"]["spec"]["ratioMetric"]["bad"]["metricSource"]["spec"].pop("metricName"),
         "slos[0].spec.indicator.spec.ratioMetric.bad.metricSource.spec.metricName"),
        (lambda d: d["spec"]["indicator"]["spec"]["ratioMetric"]["total"]["metricSource"].update(type="Prometheus"),
         "slos[0].spec.indicator.spec.ratioMetric.total.metricSource.type"),
        (lambda d: d["spec"]["indicator"]["spec"]["ratioMetric"]["bad"]["metricSource"]["spec"].update(stat="p101x"),
         "slos[0].spec.indicator.spec.ratioMetric.bad.metricSource.spec.stat"),
        (lambda d: d["metadata"].update(name="Bad Name"), "slos[0].metadata.name"),
        (lambda d: d["spec"]["timeWindow"][0].update(isRolling=False), "slos[0].spec.timeWindow[0].calendar"),
    ],
)  # fmt: skip
def test_invalid_fields_fail_with_their_path(edit, path: str) -> None:
    document = yaml.safe_load(EXAMPLE)
    edit(document)
    with pytest.raises(SpecError) as error:
        parse_slos(yaml.safe_dump(document))
    assert error.value.path == path
    assert str(error.value).startswith(path + ": ")


def test_metric_math_calendar_and_logs_sources() -> None:
    document = yaml.safe_load(EXAMPLE)
    document["spec"]["timeWindow"] = [
        {"duration": "1M", "isRolling": False, "calendar": {"startTime": "2026-01-01 00:00:00", "timeZone": "Europe/Paris"}}
    ]  # fmt: skip
    ratio = document["spec"]["indicator"]["spec"]["ratioMetric"]
    ratio["total"]["metricSource"]["spec"] = {
        "metricDataQueries": [
            {"id": "ok", "metricStat": {"metric": {"namespace": "AWS/ApplicationELB", "metricName": "RequestCount"}, "stat": "Sum"}, "returnData": False},
            {"id": "elb", "metricStat": {"metric": {"namespace": "AWS/ApplicationELB", "metricName": "HTTPCode_ELB_5XX_Count"}, "stat": "Sum"}, "returnData": False},
            {"id": "all", "expression": "ok + FILL(elb, 0)"},
        ]
    }  # fmt: skip
    ratio["bad"]["metricSource"] = {
        "type": "CloudWatchLogs",
        "spec": {
            "logGroups": ["/ecs/checkout-api"],
            "query": "stats count(*) as bad by bin(1m)",
            "field": "bad",
        },
    }
    slo = parse_slos(yaml.safe_dump(document))[0]
    assert slo.window.months == 1 and slo.window.zone == "Europe/Paris" and not slo.window.rolling
    assert isinstance(slo.total, MetricSource) and slo.total.value_id == "all"
    assert slo.total.expressions == (("all", "ok + FILL(elb, 0)"),)
    assert slo.bad.field == "bad"
    ratio["total"]["metricSource"]["spec"]["metricDataQueries"][2]["expression"] = "ok + nope"
    with pytest.raises(SpecError, match="metricDataQueries"):
        parse_slos(yaml.safe_dump(document))


def test_files_without_slos_or_duplicates_are_refused(tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError, match="no SLO spec"):
        load_slos(tmp_path / "missing.yaml")
    with pytest.raises(ConfigurationError, match="holds no SLO"):
        parse_slos("apiVersion: openslo/v1\nkind: Service\nmetadata: {name: x}\n")
    with pytest.raises(SpecError, match="used twice"):
        parse_slos(EXAMPLE + "\n---\n" + EXAMPLE)
