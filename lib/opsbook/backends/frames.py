"""The columns and types both backends return for the same question, in one place.

Examples
--------
>>> log_groups_frame([]).columns.tolist()
['log_group', 'format', 'streams', 'events', 'stored_bytes', 'first_event', 'last_event']
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import pandas as pd

__all__ = [
    "alarm_actions_frame",
    "alarm_history_frame",
    "alarms_frame",
    "anomaly_monitors_frame",
    "budget_history_frame",
    "budgets_frame",
    "canary_runs_frame",
    "changes_frame",
    "compute_optimizer_frame",
    "conform",
    "cost_anomalies_frame",
    "health_events_frame",
    "log_group_settings_frame",
    "log_groups_frame",
    "metric_data_frame",
    "metric_list_frame",
    "namespaces_frame",
    "optimization_recommendations_frame",
    "Schema",
    "s3_sources_frame",
    "service_edges_frame",
    "trace_segments_frame",
    "trace_summaries_frame",
]

Rows = pd.DataFrame | Iterable[Mapping[str, Any]]


def conform(rows: Rows, schema: Mapping[str, str]) -> pd.DataFrame:
    """Return ``rows`` as a frame with exactly ``schema``'s columns, in order, with its types."""
    frame = rows if isinstance(rows, pd.DataFrame) else pd.DataFrame(list(rows))
    out = pd.DataFrame(index=frame.index)
    for column, dtype in schema.items():
        values = frame[column] if column in frame else pd.Series(None, index=frame.index)
        if dtype.startswith("datetime64"):
            out[column] = pd.to_datetime(values, utc=True).astype(dtype)
        else:
            out[column] = values.astype(dtype)
    return out.reset_index(drop=True)


class Schema(dict[str, str]):
    """A frame's columns and their dtypes, in order; :meth:`conform` makes rows that frame.

    Examples
    --------
    >>> NAMESPACES.conform([{"namespace": "AWS/Lambda", "metrics": 3}]).dtypes["metrics"]
    Int64Dtype()
    """

    def conform(self, rows: Rows) -> pd.DataFrame:
        """Return ``rows`` as a frame with exactly these columns, in order, with their types."""
        return conform(rows, self)


LOG_GROUPS = Schema(
    {
        "log_group": "string",
        "format": "string",
        "streams": "Int64",
        "events": "Int64",
        "stored_bytes": "Int64",
        "first_event": "datetime64[ms, UTC]",
        "last_event": "datetime64[ms, UTC]",
    }
)
NAMESPACES = Schema(
    {
        "namespace": "string",
        "metrics": "Int64",
        "series": "Int64",
        "datapoints": "Int64",
        "first": "datetime64[ms, UTC]",
        "last": "datetime64[ms, UTC]",
    }
)


S3_SOURCES = Schema(
    {
        "source": "string",
        "format": "string",
        "objects": "Int64",
        "first_object": "datetime64[ms, UTC]",
        "last_object": "datetime64[ms, UTC]",
    }
)


# CloudWatch metrics, alarms, changes and health (the SLO and incident data layer).
# Metric datapoints: tidy, one row per datapoint.
METRIC_DATA = Schema(
    {
        "timestamp": "datetime64[ms, UTC]",
        "id": "string",
        "label": "string",
        "value": "float64",
    }
)
ALARMS = Schema(
    {
        "alarm_name": "string",
        "alarm_type": "string",
        "state": "string",
        "state_reason": "string",
        "state_updated": "datetime64[ms, UTC]",
        "namespace": "string",
        "metric_name": "string",
        "dimensions": "string",
        "statistic": "string",
        "period": "Int64",
        "expression": "string",
        "threshold": "float64",
        "comparison": "string",
        "evaluation_periods": "Int64",
        "datapoints_to_alarm": "Int64",
        "treat_missing_data": "string",
        "actions_enabled": "boolean",
        "description": "string",
        "arn": "string",
    }
)
ALARM_HISTORY = Schema(
    {
        "timestamp": "datetime64[ms, UTC]",
        "alarm_name": "string",
        "alarm_type": "string",
        "item_type": "string",
        "old_state": "string",
        "new_state": "string",
        "summary": "string",
        "reason": "string",
        "data": "string",
    }
)
CHANGES = Schema(
    {
        "event_time": "datetime64[ms, UTC]",
        "account_id": "string",
        "region": "string",
        "event_source": "string",
        "event_name": "string",
        "action": "string",
        "resource": "string",
        "actor": "string",
        "request_parameters": "string",
        "event_id": "string",
        "response_elements": "string",
    }
)
HEALTH_EVENTS = Schema(
    {
        "arn": "string",
        "service": "string",
        "event_type": "string",
        "category": "string",
        "region": "string",
        "availability_zone": "string",
        "start": "datetime64[ms, UTC]",
        "end": "datetime64[ms, UTC]",
        "last_updated": "datetime64[ms, UTC]",
        "status": "string",
        "scope": "string",
        "affected_entities": "string",
        "description": "string",
    }
)


# Cost Optimization Hub recommendations (API ListRecommendations, or its Data Exports table).
OPTIMIZATION_RECOMMENDATIONS = Schema(
    {
        "recommendation_id": "string",
        "account_id": "string",
        "region": "string",
        "resource_id": "string",
        "resource_arn": "string",
        "action_type": "string",
        "current_resource_type": "string",
        "current_resource_summary": "string",
        "recommended_resource_summary": "string",
        "estimated_monthly_cost": "float64",
        "estimated_monthly_savings": "float64",
        "implementation_effort": "string",
        "source": "string",
        "last_refresh": "datetime64[ms, UTC]",
    }
)


# AWS Budgets (DescribeBudgets): one row per budget, amounts in its unit.
BUDGETS = Schema(
    {
        "budget_name": "string",
        "budget_type": "string",
        "time_unit": "string",
        "limit": "float64",
        "actual": "float64",
        "forecast": "float64",
        "unit": "string",
        "period_start": "datetime64[ms, UTC]",
        "period_end": "datetime64[ms, UTC]",
    }
)


# AWS Budgets performance history (DescribeBudgetPerformanceHistory): one row per budget period.
BUDGET_HISTORY = Schema(
    {
        "budget_name": "string",
        "time_unit": "string",
        "period_start": "datetime64[ms, UTC]",
        "period_end": "datetime64[ms, UTC]",
        "budgeted": "float64",
        "actual": "float64",
        "unit": "string",
    }
)


# Compute Optimizer (GetEC2InstanceRecommendations, GetEBSVolumeRecommendations,
# GetLambdaFunctionRecommendations): one row per resource, its rank-1 option.
COMPUTE_OPTIMIZER = Schema(
    {
        "resource_type": "string",
        "resource_arn": "string",
        "resource_id": "string",
        "account_id": "string",
        "region": "string",
        "finding": "string",
        "finding_reasons": "string",
        "current": "string",
        "recommended": "string",
        "estimated_monthly_savings": "float64",
        "savings_percentage": "float64",
        "performance_risk": "float64",
        "lookback_days": "float64",
        "last_refresh": "datetime64[ms, UTC]",
    }
)


# Cost Anomaly Detection (GetAnomalies): one row per anomaly, its largest root cause spelled out.
COST_ANOMALIES = Schema(
    {
        "anomaly_id": "string",
        "monitor_arn": "string",
        "start_day": "datetime64[ms, UTC]",
        "end_day": "datetime64[ms, UTC]",
        "dimension_value": "string",
        "total_impact": "float64",
        "total_actual": "float64",
        "total_expected": "float64",
        "impact_pct": "float64",
        "max_impact": "float64",
        "max_score": "float64",
        "current_score": "float64",
        "feedback": "string",
        "service": "string",
        "account_id": "string",
        "account_name": "string",
        "region": "string",
        "usage_type": "string",
        "contribution": "float64",
        "root_causes": "string",
    }
)


# Cost Anomaly Detection monitors (GetAnomalyMonitors).
ANOMALY_MONITORS = Schema(
    {
        "monitor_arn": "string",
        "monitor_name": "string",
        "monitor_type": "string",
        "dimension": "string",
        "specification": "string",
        "created": "datetime64[ms, UTC]",
        "last_evaluated": "datetime64[ms, UTC]",
        "dimension_values": "Int64",
    }
)


# One row per metric series (a metric with one set of dimension values).
# Its ``dimensions`` is ``Name=Value,...``.
METRIC_LIST = Schema(
    {
        "namespace": "string",
        "metric_name": "string",
        "dimensions": "string",
        "first": "datetime64[ms, UTC]",
        "last": "datetime64[ms, UTC]",
        "datapoints": "Int64",
    }
)


# Inventory: what hygiene checks read beyond the frames above.
# Log-group settings: a missing retention never expires.
LOG_GROUP_SETTINGS = Schema(
    {
        "log_group": "string",
        "retention_days": "Int64",
        "stored_bytes": "Int64",
        "created": "datetime64[ms, UTC]",
        "metric_filters": "Int64",
        "last_event": "datetime64[ms, UTC]",
    }
)
ALARM_ACTIONS = Schema(
    {
        "alarm_name": "string",
        "alarm_type": "string",
        "state": "string",
        "state_updated": "datetime64[ms, UTC]",
        "actions_enabled": "boolean",
        "alarm_actions": "Int64",
        "ok_actions": "Int64",
        "insufficient_data_actions": "Int64",
        "targets": "string",
    }
)


# Traces (X-Ray, Transaction Search spans) and synthetic checks (CloudWatch Synthetics canaries).
# Service-graph edges: one row per caller -> callee and window.
SERVICE_EDGES = Schema(
    {
        "start": "datetime64[ms, UTC]",
        "end": "datetime64[ms, UTC]",
        "caller": "string",
        "callee": "string",
        "callee_type": "string",
        "requests": "Int64",
        "ok": "Int64",
        "errors": "Int64",
        "throttles": "Int64",
        "faults": "Int64",
        "mean_ms": "float64",
        "p50_ms": "float64",
        "p90_ms": "float64",
        "p99_ms": "float64",
    }
)
# Trace summaries: ``annotations`` is JSON text.
TRACE_SUMMARIES = Schema(
    {
        "trace_id": "string",
        "start": "datetime64[ms, UTC]",
        "root_service": "string",
        "duration_s": "float64",
        "response_time_s": "float64",
        "fault": "boolean",
        "error": "boolean",
        "throttle": "boolean",
        "http_status": "Int64",
        "url": "string",
        "services": "string",
        "root_cause": "string",
        "annotations": "string",
    }
)
TRACE_SEGMENTS = Schema(
    {
        "trace_id": "string",
        "segment_id": "string",
        "parent_id": "string",
        "service": "string",
        "name": "string",
        "namespace": "string",
        "depth": "Int64",
        "start": "datetime64[ms, UTC]",
        "end": "datetime64[ms, UTC]",
        "duration_ms": "float64",
        "http_status": "Int64",
        "fault": "boolean",
        "error": "boolean",
        "throttle": "boolean",
        "cause": "string",
        "url": "string",
    }
)
CANARY_RUNS = Schema(
    {
        "canary": "string",
        "run_id": "string",
        "state": "string",
        "state_reason": "string",
        "state_reason_code": "string",
        "started": "datetime64[ms, UTC]",
        "completed": "datetime64[ms, UTC]",
        "duration_ms": "float64",
        "artifact": "string",
    }
)

# What the backends call: each schema's conform, named for the frame it makes.
log_groups_frame = LOG_GROUPS.conform
s3_sources_frame = S3_SOURCES.conform
namespaces_frame = NAMESPACES.conform
metric_data_frame = METRIC_DATA.conform
alarms_frame = ALARMS.conform
alarm_history_frame = ALARM_HISTORY.conform
changes_frame = CHANGES.conform
health_events_frame = HEALTH_EVENTS.conform
optimization_recommendations_frame = OPTIMIZATION_RECOMMENDATIONS.conform
budgets_frame = BUDGETS.conform
budget_history_frame = BUDGET_HISTORY.conform
compute_optimizer_frame = COMPUTE_OPTIMIZER.conform
cost_anomalies_frame = COST_ANOMALIES.conform
anomaly_monitors_frame = ANOMALY_MONITORS.conform
metric_list_frame = METRIC_LIST.conform
log_group_settings_frame = LOG_GROUP_SETTINGS.conform
alarm_actions_frame = ALARM_ACTIONS.conform
service_edges_frame = SERVICE_EDGES.conform
trace_summaries_frame = TRACE_SUMMARIES.conform
trace_segments_frame = TRACE_SEGMENTS.conform
canary_runs_frame = CANARY_RUNS.conform
