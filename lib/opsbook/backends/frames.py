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
    "s3_sources_frame",
    "service_edges_frame",
    "trace_segments_frame",
    "trace_summaries_frame",
]

LOG_GROUPS = {
    "log_group": "string",
    "format": "string",
    "streams": "Int64",
    "events": "Int64",
    "stored_bytes": "Int64",
    "first_event": "datetime64[ms, UTC]",
    "last_event": "datetime64[ms, UTC]",
}
NAMESPACES = {
    "namespace": "string",
    "metrics": "Int64",
    "series": "Int64",
    "datapoints": "Int64",
    "first": "datetime64[ms, UTC]",
    "last": "datetime64[ms, UTC]",
}


def conform(
    rows: pd.DataFrame | Iterable[Mapping[str, Any]], schema: dict[str, str]
) -> pd.DataFrame:
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


def log_groups_frame(rows: pd.DataFrame | Iterable[Mapping[str, Any]]) -> pd.DataFrame:
    """Conform log-group rows (see ``LOG_GROUPS``)."""
    return conform(rows, LOG_GROUPS)


S3_SOURCES = {
    "source": "string",
    "format": "string",
    "objects": "Int64",
    "first_object": "datetime64[ms, UTC]",
    "last_object": "datetime64[ms, UTC]",
}


def s3_sources_frame(rows: pd.DataFrame | Iterable[Mapping[str, Any]]) -> pd.DataFrame:
    """Conform S3 log archive rows (see ``S3_SOURCES``)."""
    return conform(rows, S3_SOURCES)


def namespaces_frame(rows: pd.DataFrame | Iterable[Mapping[str, Any]]) -> pd.DataFrame:
    """Conform metric-namespace rows (see ``NAMESPACES``)."""
    return conform(rows, NAMESPACES)


# CloudWatch metrics, alarms, changes and health (the SLO and incident data layer).
METRIC_DATA = {
    "timestamp": "datetime64[ms, UTC]",
    "id": "string",
    "label": "string",
    "value": "float64",
}
ALARMS = {
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
ALARM_HISTORY = {
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
CHANGES = {
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
HEALTH_EVENTS = {
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


def metric_data_frame(rows: pd.DataFrame | Iterable[Mapping[str, Any]]) -> pd.DataFrame:
    """Conform metric datapoints (see ``METRIC_DATA``): tidy, one row per datapoint."""
    return conform(rows, METRIC_DATA)


def alarms_frame(rows: pd.DataFrame | Iterable[Mapping[str, Any]]) -> pd.DataFrame:
    """Conform alarm rows (see ``ALARMS``)."""
    return conform(rows, ALARMS)


def alarm_history_frame(rows: pd.DataFrame | Iterable[Mapping[str, Any]]) -> pd.DataFrame:
    """Conform alarm history items (see ``ALARM_HISTORY``)."""
    return conform(rows, ALARM_HISTORY)


def changes_frame(rows: pd.DataFrame | Iterable[Mapping[str, Any]]) -> pd.DataFrame:
    """Conform CloudTrail change events (see ``CHANGES``)."""
    return conform(rows, CHANGES)


def health_events_frame(rows: pd.DataFrame | Iterable[Mapping[str, Any]]) -> pd.DataFrame:
    """Conform AWS Health events (see ``HEALTH_EVENTS``)."""
    return conform(rows, HEALTH_EVENTS)


# Cost Optimization Hub recommendations (API ListRecommendations, or its Data Exports table).
OPTIMIZATION_RECOMMENDATIONS = {
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


def optimization_recommendations_frame(
    rows: pd.DataFrame | Iterable[Mapping[str, Any]],
) -> pd.DataFrame:
    """Conform Cost Optimization Hub recommendations (see ``OPTIMIZATION_RECOMMENDATIONS``)."""
    return conform(rows, OPTIMIZATION_RECOMMENDATIONS)


# AWS Budgets (DescribeBudgets): one row per budget, amounts in its unit.
BUDGETS = {
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


def budgets_frame(rows: pd.DataFrame | Iterable[Mapping[str, Any]]) -> pd.DataFrame:
    """Conform AWS Budgets rows (see ``BUDGETS``)."""
    return conform(rows, BUDGETS)


# AWS Budgets performance history (DescribeBudgetPerformanceHistory): one row per budget period.
BUDGET_HISTORY = {
    "budget_name": "string",
    "time_unit": "string",
    "period_start": "datetime64[ms, UTC]",
    "period_end": "datetime64[ms, UTC]",
    "budgeted": "float64",
    "actual": "float64",
    "unit": "string",
}


def budget_history_frame(rows: pd.DataFrame | Iterable[Mapping[str, Any]]) -> pd.DataFrame:
    """Conform budget performance history rows (see ``BUDGET_HISTORY``)."""
    return conform(rows, BUDGET_HISTORY)


# Compute Optimizer (GetEC2InstanceRecommendations, GetEBSVolumeRecommendations,
# GetLambdaFunctionRecommendations): one row per resource, its rank-1 option.
COMPUTE_OPTIMIZER = {
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


def compute_optimizer_frame(rows: pd.DataFrame | Iterable[Mapping[str, Any]]) -> pd.DataFrame:
    """Conform Compute Optimizer recommendations (see ``COMPUTE_OPTIMIZER``)."""
    return conform(rows, COMPUTE_OPTIMIZER)


# Cost Anomaly Detection (GetAnomalies): one row per anomaly, its largest root cause spelled out.
COST_ANOMALIES = {
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


def cost_anomalies_frame(rows: pd.DataFrame | Iterable[Mapping[str, Any]]) -> pd.DataFrame:
    """Conform Cost Anomaly Detection anomalies (see ``COST_ANOMALIES``)."""
    return conform(rows, COST_ANOMALIES)


# Cost Anomaly Detection monitors (GetAnomalyMonitors).
ANOMALY_MONITORS = {
    "monitor_arn": "string",
    "monitor_name": "string",
    "monitor_type": "string",
    "dimension": "string",
    "specification": "string",
    "created": "datetime64[ms, UTC]",
    "last_evaluated": "datetime64[ms, UTC]",
    "dimension_values": "Int64",
}


def anomaly_monitors_frame(rows: pd.DataFrame | Iterable[Mapping[str, Any]]) -> pd.DataFrame:
    """Conform Cost Anomaly Detection monitors (see ``ANOMALY_MONITORS``)."""
    return conform(rows, ANOMALY_MONITORS)


# One row per metric series (a metric with one set of dimension values).
METRIC_LIST = {
    "namespace": "string",
    "metric_name": "string",
    "dimensions": "string",
    "first": "datetime64[ms, UTC]",
    "last": "datetime64[ms, UTC]",
    "datapoints": "Int64",
}


def metric_list_frame(rows: pd.DataFrame | Iterable[Mapping[str, Any]]) -> pd.DataFrame:
    """Conform metric series rows (see ``METRIC_LIST``); ``dimensions`` is ``Name=Value,...``."""
    return conform(rows, METRIC_LIST)


# Inventory: what hygiene checks read beyond the frames above.
LOG_GROUP_SETTINGS = {
    "log_group": "string",
    "retention_days": "Int64",
    "stored_bytes": "Int64",
    "created": "datetime64[ms, UTC]",
    "metric_filters": "Int64",
    "last_event": "datetime64[ms, UTC]",
}
ALARM_ACTIONS = {
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


def log_group_settings_frame(rows: pd.DataFrame | Iterable[Mapping[str, Any]]) -> pd.DataFrame:
    """Conform log-group settings (see ``LOG_GROUP_SETTINGS``); missing retention: never expires."""
    return conform(rows, LOG_GROUP_SETTINGS)


def alarm_actions_frame(rows: pd.DataFrame | Iterable[Mapping[str, Any]]) -> pd.DataFrame:
    """Conform alarms with their action counts (see ``ALARM_ACTIONS``)."""
    return conform(rows, ALARM_ACTIONS)


# Traces (X-Ray, Transaction Search spans) and synthetic checks (CloudWatch Synthetics canaries).
SERVICE_EDGES = {
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
TRACE_SUMMARIES = {
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
TRACE_SEGMENTS = {
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
CANARY_RUNS = {
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


def service_edges_frame(rows: pd.DataFrame | Iterable[Mapping[str, Any]]) -> pd.DataFrame:
    """Conform service-graph edges (see ``SERVICE_EDGES``): one row per caller -> callee and window."""
    return conform(rows, SERVICE_EDGES)


def trace_summaries_frame(rows: pd.DataFrame | Iterable[Mapping[str, Any]]) -> pd.DataFrame:
    """Conform trace summaries (see ``TRACE_SUMMARIES``); ``annotations`` is JSON text."""
    return conform(rows, TRACE_SUMMARIES)


def trace_segments_frame(rows: pd.DataFrame | Iterable[Mapping[str, Any]]) -> pd.DataFrame:
    """Conform trace segments and subsegments (see ``TRACE_SEGMENTS``)."""
    return conform(rows, TRACE_SEGMENTS)


def canary_runs_frame(rows: pd.DataFrame | Iterable[Mapping[str, Any]]) -> pd.DataFrame:
    """Conform canary runs (see ``CANARY_RUNS``)."""
    return conform(rows, CANARY_RUNS)
