"""The sample organisation's SLOs: an OpenSLO v1 ``slos.yaml`` over the sample's real metrics.

Examples
--------
>>> import datetime as dt, tempfile
>>> from pathlib import Path
>>> from opsbook.sample.org import timeline
>>> write_slos(Path(tempfile.mkdtemp()), timeline(dt.date(2026, 11, 15)))["slos"]
['api-availability', 'checkout-latency', 'catalog-lambda-success']
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from opsbook.backends import layout
from opsbook.sample import org
from opsbook.sample.traffic import CATALOG_FUNCTION

__all__ = ["SLO_FILE", "write_slos"]

SLO_FILE = layout.SLOS


def _metric(namespace: str, name: str, stat: str, **dimensions: str) -> dict[str, Any]:
    return {
        "metricSource": {
            "type": "CloudWatch",
            "spec": {
                "region": org.REGION,
                "namespace": namespace,
                "metricName": name,
                "stat": stat,
                "dimensions": [{"name": k, "value": v} for k, v in dimensions.items()],
            },
        }
    }


def _slo(
    name: str, display: str, service: str, description: str, spec: dict[str, Any], **extra: Any
) -> dict:
    return {
        "apiVersion": "openslo/v1",
        "kind": "SLO",
        "metadata": {"name": name, "displayName": display, **extra},
        "spec": {"description": description, "service": service, **spec},
    }


def _ratio_spec(
    days: int,
    indicator: str,
    bad: dict[str, Any],
    total: dict[str, Any],
    objective: str,
    target: float,
) -> dict[str, Any]:
    """Return the spec of an SLO on the share of good events (``bad`` of ``total``) over ``days``."""
    return {
        "budgetingMethod": "Occurrences",
        "timeWindow": [{"duration": f"{days}d", "isRolling": True}],
        "indicator": {
            "metadata": {"name": indicator},
            "spec": {"ratioMetric": {"counter": True, "bad": bad, "total": total}},
        },
        "objectives": [{"displayName": objective, "target": target}],
    }


def write_slos(root: Path, story: org.Timeline) -> dict[str, Any]:
    """Write ``root/slos.yaml`` and return what it holds (SLO names and the file).

    The incident (``story.errors_start`` to ``story.errors_end``) burns the API availability and
    checkout latency budgets fast enough to page; catalog's slow burn from
    ``story.slow_burn_start`` shows on the slow (ticket) tier.
    """
    api = {"ApiName": org.API_NAME}
    function = {"FunctionName": CATALOG_FUNCTION.name}
    documents = [
        _slo(
            "api-availability",
            "Public API availability",
            org.API_NAME,
            "99.9% of API Gateway requests succeed (no 5XX) over a rolling 30 days.",
            _ratio_spec(
                30,
                "api-gateway-5xx",
                _metric("AWS/ApiGateway", "5XXError", "Sum", **api),
                _metric("AWS/ApiGateway", "Count", "Sum", **api),
                "99.9% of requests",
                0.999,
            ),
            annotations={
                # Access logs break the 5XX down by route and status (the metrics cannot).
                "opsbook/breakdown-log-groups": org.API_ACCESS_LOG_GROUP,
                "opsbook/breakdown-query": "filter status >= 500 "
                "| stats count(*) as bad_events by resourcePath, status | sort bad_events desc",
            },
        ),
        _slo(
            "checkout-latency",
            "Checkout latency p99 under 500 ms",
            org.CHECKOUT.name,
            "In 99% of minutes, the checkout ALB's p99 target response time is under 500 ms.",
            {
                "budgetingMethod": "Timeslices",
                "timeWindow": [{"duration": "30d", "isRolling": True}],
                "indicator": {
                    "metadata": {"name": "checkout-target-response-p99"},
                    "spec": {
                        "thresholdMetric": _metric(
                            "AWS/ApplicationELB",
                            "TargetResponseTime",
                            "p99",
                            LoadBalancer=org.LOAD_BALANCER,
                        )
                    },
                },
                "objectives": [
                    {
                        "displayName": "p99 < 500 ms in 99% of minutes",
                        "target": 0.99,
                        "op": "lt",
                        "value": 0.5,
                        "timeSliceWindow": "1m",
                    }
                ],
            },
        ),
        _slo(
            "catalog-lambda-success",
            "Catalog Lambda success",
            org.CATALOG.name,
            "99.95% of catalog-api-handler invocations succeed over a rolling 28 days.",
            _ratio_spec(
                28,
                "catalog-lambda-errors",
                _metric("AWS/Lambda", "Errors", "Sum", **function),
                _metric("AWS/Lambda", "Invocations", "Sum", **function),
                "99.95% of invocations",
                0.9995,
            ),
        ),
    ]
    target = root / SLO_FILE
    header = (
        f"# {org.COMPANY} service level objectives (OpenSLO v1, CloudWatch data sources).\n"
        "# Read by opsbook.slo; alarms: `opsbook.slo.alerts.alarm_template`.\n"
    )
    target.write_text(header + yaml.safe_dump_all(documents, sort_keys=False, width=100))
    return {"file": SLO_FILE, "slos": [d["metadata"]["name"] for d in documents]}
