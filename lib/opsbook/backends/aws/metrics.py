"""CloudWatch metrics on AWS through boto3: ListMetrics and GetMetricData.

GetMetricData is called within its limits (:func:`opsbook.metrics._request.plan_calls`: at most
500 queries and 100,800 datapoints per call, ``NextToken`` for the rest), timestamps ascending,
after checking CloudWatch still keeps the window at the asked period. Throttling is retried by the
clients' retry policy (:mod:`opsbook.backends.aws`); if it persists the error says so. Metric math
is evaluated by CloudWatch itself.

Examples
--------
>>> from opsbook.settings import resolve
>>> describe_namespaces(resolve(backend="aws"))  # doctest: +SKIP
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from opsbook import clock
from opsbook.backends.aws import aws_errors, client, pages
from opsbook.backends.contract import Metrics, contract_functions
from opsbook.backends.frames import metric_data_frame, metric_list_frame, namespaces_frame
from opsbook.errors import QueryCancelledError, QueryFailedError
from opsbook.metrics._request import (
    MetricRequest,
    check_retention,
    estimate_cost_usd,
    plan_calls,
)
from opsbook.metrics._request import retention_bands as cloudwatch_bands
from opsbook.settings import Settings

__all__ = contract_functions(Metrics)

_RECENTLY_ACTIVE = pd.Timedelta(hours=3)  # the only window ListMetrics can narrow to
_THROTTLED = (
    "GetMetricData allows 50 calls/s and 180,000 datapoints/s for recent windows: retry in a "
    "minute, or ask for fewer series or a coarser period"
)


def describe_namespaces(settings: Settings) -> pd.DataFrame:
    """Return metric namespaces with their metric and series counts, from ListMetrics."""
    cloudwatch = client(settings, "cloudwatch")
    seen: dict[str, dict[str, set[Any]]] = {}
    with aws_errors("cloudwatch:ListMetrics"):
        for page in cloudwatch.get_paginator("list_metrics").paginate():
            for metric in page["Metrics"]:
                entry = seen.setdefault(metric["Namespace"], {"metrics": set(), "series": set()})
                dims = tuple(sorted((d["Name"], d["Value"]) for d in metric.get("Dimensions", [])))
                entry["metrics"].add(metric["MetricName"])
                entry["series"].add((metric["MetricName"], dims))
    rows = [
        {
            "namespace": namespace,
            "metrics": len(entry["metrics"]),
            "series": len(entry["series"]),
            "datapoints": None,
            "first": None,
            "last": None,
        }
        for namespace, entry in sorted(seen.items())
    ]
    return namespaces_frame(rows)


def list_metrics(
    settings: Settings,
    namespace: str | None = None,
    start: pd.Timestamp | None = None,
    end: pd.Timestamp | None = None,
) -> pd.DataFrame:
    """Return each series ListMetrics knows (in ``namespace``); first, last, datapoints missing.

    ListMetrics cannot filter by time: it lists series with data in the last two weeks, or,
    with ``RecentlyActive="PT3H"``, in the last three hours, which is asked for when the window
    starts within them. ``end`` does not narrow the list.
    """
    arguments: dict[str, Any] = {} if namespace is None else {"Namespace": namespace}
    if start is not None and start >= clock.now() - _RECENTLY_ACTIVE:
        arguments["RecentlyActive"] = "PT3H"
    cloudwatch = client(settings, "cloudwatch")
    rows = []
    with aws_errors("cloudwatch:ListMetrics"):
        for page in cloudwatch.get_paginator("list_metrics").paginate(**arguments):
            for metric in page["Metrics"]:
                dims = sorted((d["Name"], d["Value"]) for d in metric.get("Dimensions", []))
                rows.append(
                    {
                        "namespace": metric["Namespace"],
                        "metric_name": metric["MetricName"],
                        "dimensions": ",".join(f"{name}={value}" for name, value in dims),
                    }
                )
    frame = metric_list_frame(rows)
    frame = frame.drop_duplicates().sort_values(["namespace", "metric_name", "dimensions"])
    return frame.reset_index(drop=True)


def retention_bands(
    settings: Settings, start: pd.Timestamp, end: pd.Timestamp, period: int
) -> list[tuple[pd.Timestamp, pd.Timestamp, int]]:
    """Return the window split where CloudWatch keeps only coarser datapoints.

    See :func:`opsbook.metrics._request.retention_bands`.
    """
    return cloudwatch_bands(start, end, period)


def get_metric_data(settings: Settings, request: MetricRequest) -> pd.DataFrame:
    """Return the request's datapoints from GetMetricData (tidy: timestamp, id, label, value)."""
    check_retention(request)
    cost = estimate_cost_usd(request)
    if cost > settings.max_query_cost_usd:
        raise QueryCancelledError(
            f"this metrics request would cost ${cost:.4f} (GetMetricData: $0.01 per 1,000 metrics "
            f"requested), above max_query_cost_usd (${settings.max_query_cost_usd}): ask for "
            "fewer series, a shorter window or a coarser period, or raise the setting"
        )
    cloudwatch = client(settings, "cloudwatch")
    queries = _queries(request)
    collected: dict[tuple[str, str], list[tuple[list[Any], list[float]]]] = {}
    for call in plan_calls(request):
        arguments = {
            "MetricDataQueries": [queries[name] for name in call.ids],
            "StartTime": call.start.to_pydatetime(),
            "EndTime": call.end.to_pydatetime(),
            "ScanBy": "TimestampAscending",
        }
        for result in _results(cloudwatch, arguments):
            key = (result["Id"], result.get("Label", result["Id"]))
            collected.setdefault(key, []).append((result["Timestamps"], result["Values"]))
    order = {name: index for index, name in enumerate(request.returned)}
    frames = []
    for (name, label), pieces in sorted(
        collected.items(), key=lambda item: order.get(item[0][0], 0)
    ):
        if name not in order:
            continue
        stamps = [stamp for times, _ in pieces for stamp in times]
        values = [value for _, vals in pieces for value in vals]
        frames.append(
            pd.DataFrame(
                {
                    "timestamp": pd.to_datetime(stamps, utc=True),
                    "id": name,
                    "label": label,
                    "value": values,
                }
            )
        )
    if not frames:
        return metric_data_frame([])
    frame = pd.concat(frames, ignore_index=True)
    frame["rank"] = frame.id.map(order)
    frame = frame.sort_values(["rank", "label", "timestamp"], kind="stable")
    frame = frame.drop_duplicates(["id", "label", "timestamp"])
    return metric_data_frame(frame.drop(columns="rank"))


def _queries(request: MetricRequest) -> dict[str, dict[str, Any]]:
    returned = set(request.returned)
    queries: dict[str, dict[str, Any]] = {}
    for name, series in request.metrics:
        queries[name] = {
            "Id": name,
            "MetricStat": {
                "Metric": {
                    "Namespace": series.namespace,
                    "MetricName": series.metric,
                    "Dimensions": [{"Name": k, "Value": v} for k, v in series.dimensions],
                },
                "Period": request.period,
                "Stat": series.stat,
            },
            "Label": series.display_label,
            "ReturnData": name in returned,
        }
    for name, text, label in request.expressions:
        queries[name] = {
            "Id": name,
            "Expression": text,
            "Label": label,
            "Period": request.period,
            "ReturnData": name in returned,
        }
    return queries


def _results(cloudwatch: Any, arguments: dict[str, Any]) -> list[dict[str, Any]]:
    """Return every MetricDataResult of one call, following NextToken; fail rather than cut."""
    results: list[dict[str, Any]] = []
    why = "nothing is returned rather than a partial answer"
    for page in pages(cloudwatch.get_metric_data, arguments, "cloudwatch:GetMetricData",
                      throttled=_THROTTLED, whole=why):  # fmt: skip
        for message in page.get("Messages", []):
            if message.get("Code") not in (None, "", "PartialData"):
                raise QueryFailedError(
                    f"GetMetricData: {message.get('Code')}: {message.get('Value', '')}"
                )
        for result in page["MetricDataResults"]:
            status = result.get("StatusCode", "Complete")
            if status in ("InternalError", "Forbidden"):
                detail = "; ".join(m.get("Value", "") for m in result.get("Messages", []))
                raise QueryFailedError(
                    f"GetMetricData could not read {result['Id']} ({status}): {detail}. "
                    + (
                        "Grant cloudwatch:GetMetricData (and read access to the source) to the role"
                        if status == "Forbidden"
                        else "Retry later"
                    )
                )
            results.append(result)
    return results
