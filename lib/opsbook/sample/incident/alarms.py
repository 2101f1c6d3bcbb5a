"""The sample's CloudWatch metric alarms: their definitions and the API shapes of their configuration.

Each alarm watches a metric the sample's metric stream holds (or a metric math expression over
them); :mod:`opsbook.sample.incident.history` evaluates them over those metrics. The names are
in :mod:`opsbook.sample.episodes`, beside the episodes that trip them.

Examples
--------
>>> len(ALARMS), alarm_named(BURN_ALARM).metrics[-1]["Expression"]
(11, 'IF(m2 > 0, (m1 / m2) / 0.001, 0)')
>>> put_metric_alarm_request(alarm_named(CHECKOUT_P99_ALARM), 2.0)["extendedStatistic"]
'p99'
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from opsbook.sample.episodes import (
    API_5XX_ALARM,
    BURN_ALARM,
    CATALOG_ERRORS_ALARM,
    CHECKOUT_5XX_ALARM,
    CHECKOUT_P99_ALARM,
    DB_CPU_ALARM,
    ECS_CPU_ALARM,
    FLAPPING_ALARM,
    ORDERS_ERRORS_ALARM,
    ORDERS_THROTTLES_ALARM,
    STALE_ALARM,
)
from opsbook.sample.incident.formats import camel_keys, cloudwatch_time
from opsbook.sample.org import (
    API_NAME,
    CATALOG,
    CHECKOUT,
    DB_INSTANCE,
    ECS_CLUSTER,
    LOAD_BALANCER,
    ORDERS,
    REGION,
    SHOP_PROD,
)

__all__ = [
    "ALARMS",
    "CATALOG_FUNCTION",
    "ORDERS_FUNCTION",
    "PAGE_TOPIC",
    "TICKET_TOPIC",
    "Alarm",
    "alarm_arn",
    "alarm_named",
    "alarm_snapshot",
    "api_dimensions",
    "put_metric_alarm_request",
    "stat_key",
]

_ACCT = SHOP_PROD.id
CATALOG_FUNCTION = CATALOG.log_group.rsplit("/", 1)[-1]  # catalog-api-handler
ORDERS_FUNCTION = ORDERS.log_group.rsplit("/", 1)[-1]  # orders-worker
PAGE_TOPIC = f"arn:aws:sns:{REGION}:{_ACCT}:oncall-page"
TICKET_TOPIC = f"arn:aws:sns:{REGION}:{_ACCT}:ops-tickets"


@dataclass(frozen=True)
class Alarm:
    """One metric alarm: its API fields, plus the values its state had before the metrics begin."""

    name: str
    description: str
    threshold: float
    operator: str
    period: int
    evaluation_periods: int
    datapoints_to_alarm: int
    normal: tuple[float, float]  # StateReasonData values of the OK state set before the metrics
    decimals: int = 0
    namespace: str = ""
    metric: str = ""
    dimensions: tuple[tuple[str, str], ...] = ()
    statistic: str = "Sum"  # "pNN" is written as ExtendedStatistic
    metrics: tuple[dict[str, Any], ...] = ()  # metric math instead of a single metric
    treat_missing: str = "missing"
    alarm_actions: tuple[str, ...] = ()
    ok_actions: tuple[str, ...] = ()
    samples: float = 1.0  # sampleCount of those values


def api_dimensions(pairs: Iterable[tuple[str, str]]) -> list[dict[str, str]]:
    """Return dimension pairs as the API lists them (``[{"Name": ..., "Value": ...}]``)."""
    return [{"Name": k, "Value": v} for k, v in pairs]


def _query(
    qid: str, namespace: str, metric: str, dims: Iterable[tuple[str, str]], period: int, stat: str
) -> dict[str, Any]:
    return {
        "Id": qid,
        "MetricStat": {
            "Metric": {
                "Namespace": namespace,
                "MetricName": metric,
                "Dimensions": api_dimensions(dims),
            },
            "Period": period,
            "Stat": stat,
        },
        "ReturnData": False,
    }


def _ratio(
    namespace: str, bad: str, total: str, dims: Iterable[tuple[str, str]], period: int
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Return the queries ``m1`` (``bad``) and ``m2`` (``total``) a ratio alarm's expression reads."""
    return (
        _query("m1", namespace, bad, dims, period, "Sum"),
        _query("m2", namespace, total, dims, period, "Sum"),
    )


#: How the alarms that page on-call are wired: missing data is fine, both transitions notify.
_PAGES: dict[str, Any] = {
    "treat_missing": "notBreaching",
    "alarm_actions": (PAGE_TOPIC,),
    "ok_actions": (PAGE_TOPIC,),
}

_ALB = (("LoadBalancer", LOAD_BALANCER),)  # the dimension set the metric stream carries
_API = (("ApiName", API_NAME),)
_CATALOG_FN = (("FunctionName", CATALOG_FUNCTION),)
_ORDERS_FN = (("FunctionName", ORDERS_FUNCTION),)

ALARMS: tuple[Alarm, ...] = (
    Alarm(
        CHECKOUT_5XX_ALARM,
        "checkout-api targets return 5XX (3 of 5 minutes above 25). Pages on-call.",
        25.0, "GreaterThanThreshold", 60, 5, 3, (0, 4),
        namespace="AWS/ApplicationELB", metric="HTTPCode_Target_5XX_Count", dimensions=_ALB,
        samples=2.0, **_PAGES,
    ),
    Alarm(
        CHECKOUT_P99_ALARM,
        "checkout-api p99 target response time above 2 s (3 of 5 minutes). Pages on-call.",
        2.0, "GreaterThanThreshold", 60, 5, 3, (0.18, 0.62), decimals=4,
        namespace="AWS/ApplicationELB", metric="TargetResponseTime", dimensions=_ALB,
        statistic="p99", samples=540.0, **_PAGES,
    ),
    Alarm(
        ECS_CPU_ALARM,
        "checkout-api service CPU above 80% for 15 minutes.",
        80.0, "GreaterThanThreshold", 300, 3, 3, (22, 48), decimals=3,
        namespace="AWS/ECS", metric="CPUUtilization",
        dimensions=(("ClusterName", ECS_CLUSTER), ("ServiceName", CHECKOUT.name)),
        statistic="Average", samples=30.0,
    ),  # no actions: created in the console during a load test and never wired up
    Alarm(
        API_5XX_ALARM,
        "shop-public-api 5XX rate above 1% (3 of 5 minutes). Pages on-call.",
        1.0, "GreaterThanThreshold", 60, 5, 3, (0.0, 0.09), decimals=4,
        metrics=(
            *_ratio("AWS/ApiGateway", "5XXError", "Count", _API, 60),
            {"Id": "e1", "Expression": "m1/m2*100", "Label": "5XX rate (%)", "ReturnData": True},
        ),
        **_PAGES,
    ),
    Alarm(
        CATALOG_ERRORS_ALARM,
        "catalog-api-handler Lambda errors above 200 in 5 minutes (an outage, not a slow burn).",
        200.0, "GreaterThanThreshold", 300, 1, 1, (2, 24),
        namespace="AWS/Lambda", metric="Errors", dimensions=_CATALOG_FN,
        treat_missing="notBreaching", alarm_actions=(TICKET_TOPIC,), samples=15000.0,
    ),
    Alarm(
        BURN_ALARM,
        "Slow-burn ticket: catalog-api error budget (SLO 99.9% availability) burning faster "
        "than 2x in 2 of the last 3 hours.",
        2.0, "GreaterThanThreshold", 3600, 3, 2, (0.12, 0.55), decimals=4,
        metrics=(
            *_ratio("AWS/Lambda", "Errors", "Invocations", _CATALOG_FN, 3600),
            {
                # IF guards the hour with no traffic (division by zero)
                "Id": "e1",
                "Expression": "IF(m2 > 0, (m1 / m2) / 0.001, 0)",
                "Label": "Error budget burn rate (1h window)",
                "ReturnData": True,
            },
        ),
        treat_missing="notBreaching", alarm_actions=(TICKET_TOPIC,), ok_actions=(TICKET_TOPIC,),
    ),
    Alarm(
        ORDERS_ERRORS_ALARM,
        "orders-worker Lambda errors above 10 in 5 minutes. Pages on-call.",
        10.0, "GreaterThanThreshold", 300, 1, 1, (0, 3),
        namespace="AWS/Lambda", metric="Errors", dimensions=_ORDERS_FN,
        samples=8.0, **_PAGES,
    ),
    Alarm(
        ORDERS_THROTTLES_ALARM,
        "orders-worker Lambda throttles.",
        0.0, "GreaterThanThreshold", 60, 1, 1, (0, 0),
        namespace="AWS/Lambda", metric="Throttles", dimensions=_ORDERS_FN,
        treat_missing="notBreaching", samples=2.0,
    ),  # no actions: nobody hears about throttling
    Alarm(
        FLAPPING_ALARM,
        "orders-worker p99 duration above 10 s (timeout is 15 s).",
        10000.0, "GreaterThanThreshold", 60, 1, 1, (2900.0, 7400.0),
        decimals=2, namespace="AWS/Lambda", metric="Duration", dimensions=_ORDERS_FN,
        statistic="p99", treat_missing="notBreaching", alarm_actions=(TICKET_TOPIC,),
        samples=2.0,
    ),
    Alarm(
        DB_CPU_ALARM,
        f"{DB_INSTANCE} CPU above 80% for 15 minutes.",
        80.0, "GreaterThanThreshold", 300, 3, 3, (11, 38), decimals=3,
        namespace="AWS/RDS", metric="CPUUtilization",
        dimensions=(("DBInstanceIdentifier", DB_INSTANCE),), statistic="Average",
        alarm_actions=(TICKET_TOPIC,), samples=5.0,
    ),
    Alarm(
        STALE_ALARM,
        "inventory-sync Lambda errors.",
        1.0, "GreaterThanOrEqualToThreshold", 300, 1, 1, (0, 0),
        namespace="AWS/Lambda", metric="Errors", dimensions=(("FunctionName", "inventory-sync"),),
        alarm_actions=(TICKET_TOPIC,),
    ),  # inventory-sync was decommissioned: no data, so the alarm stays in INSUFFICIENT_DATA
)  # fmt: skip


def stat_key(alarm: Alarm, plain: str, extended: str) -> str:
    """Percentiles go in ExtendedStatistic, the basic statistics in Statistic."""
    return extended if alarm.statistic.startswith("p") else plain


def alarm_arn(name: str) -> str:
    """Return the ARN of the shop-prod alarm ``name``."""
    return f"arn:aws:cloudwatch:{REGION}:{_ACCT}:alarm:{name}"


def alarm_snapshot(
    alarm: Alarm, state: str, state_at: dt.datetime, updated: dt.datetime, threshold: float
) -> dict[str, Any]:
    """Alarm configuration as ConfigurationUpdate HistoryData spells it (camelCase keys)."""
    snap: dict[str, Any] = {
        "alarmName": alarm.name,
        "alarmArn": alarm_arn(alarm.name),
        "alarmDescription": alarm.description,
        "actionsEnabled": True,
        "okactions": list(alarm.ok_actions),
        "alarmActions": list(alarm.alarm_actions),
        "insufficientDataActions": [],
        "stateValue": state,
    }
    if alarm.metrics:
        snap["metrics"] = camel_keys(list(alarm.metrics))
    else:
        snap |= {
            "namespace": alarm.namespace,
            "metricName": alarm.metric,
            "dimensions": [{"name": k, "value": v} for k, v in alarm.dimensions],
            stat_key(alarm, "statistic", "extendedStatistic"): alarm.statistic,
            "period": alarm.period,
        }
    snap |= {
        "evaluationPeriods": alarm.evaluation_periods,
        "datapointsToAlarm": alarm.datapoints_to_alarm,
        "threshold": threshold,
        "comparisonOperator": alarm.operator,
        "treatMissingData": alarm.treat_missing,
        "alarmConfigurationUpdatedTimestamp": cloudwatch_time(updated),
        "stateUpdatedTimestamp": cloudwatch_time(state_at),
    }
    return snap


def put_metric_alarm_request(alarm: Alarm, threshold: float) -> dict[str, Any]:
    """Return the PutMetricAlarm requestParameters CloudTrail records for ``alarm``."""
    request: dict[str, Any] = {
        "alarmName": alarm.name,
        "alarmDescription": alarm.description,
        "actionsEnabled": True,
        "oKActions": list(alarm.ok_actions),
        "alarmActions": list(alarm.alarm_actions),
        "evaluationPeriods": alarm.evaluation_periods,
        "datapointsToAlarm": alarm.datapoints_to_alarm,
        "threshold": threshold,
        "comparisonOperator": alarm.operator,
        "treatMissingData": alarm.treat_missing,
    }
    if alarm.metrics:
        request["metrics"] = camel_keys(list(alarm.metrics))
    else:
        request |= {
            "metricName": alarm.metric,
            "namespace": alarm.namespace,
            stat_key(alarm, "statistic", "extendedStatistic"): alarm.statistic,
            "dimensions": [{"name": k, "value": v} for k, v in alarm.dimensions],
            "period": alarm.period,
        }
    return request


def alarm_named(name: str) -> Alarm:
    """Return the definition of the alarm ``name``.

    Examples
    --------
    >>> alarm_named(FLAPPING_ALARM).threshold
    10000.0
    """
    return next(a for a in ALARMS if a.name == name)
