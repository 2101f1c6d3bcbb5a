"""Rows from AWS API response shapes, shared by both backends.

The local backend reads the sample org's JSON in the shapes DescribeAlarms, DescribeAlarmHistory,
CloudTrail log files and AWS Health return; the aws backend gets the same shapes from boto3. Both
turn them into rows here, so the same question gives the same columns on both.

Examples
--------
>>> normalise_event_name("UpdateFunctionCode20150331v2")
'UpdateFunctionCode'
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from typing import Any

import pandas as pd

__all__ = [
    "INCIDENT_CHANGES",
    "alarm_action_rows",
    "alarm_rows",
    "change_row",
    "health_rows",
    "history_rows",
    "log_group_settings_rows",
    "normalise_event_name",
    "wants_event",
]

# Write events that matter in an incident: deployments, configuration and capacity changes.
INCIDENT_CHANGES = frozenset(
    """
    UpdateService CreateService DeleteService
    UpdateFunctionCode UpdateFunctionConfiguration PublishVersion UpdateAlias
    PutFunctionConcurrency DeleteFunctionConcurrency UpdateEventSourceMapping
    CreateDeployment StopDeployment StartDeployment UpdateStage
    CreateStack UpdateStack DeleteStack ExecuteChangeSet
    PutParameter DeleteParameter
    ModifyDBInstance ModifyDBCluster RebootDBInstance FailoverDBCluster ModifyDBParameterGroup
    AuthorizeSecurityGroupIngress RevokeSecurityGroupIngress AuthorizeSecurityGroupEgress
    RevokeSecurityGroupEgress ReplaceRoute ModifyInstanceAttribute
    ModifyListener ModifyRule ModifyTargetGroup ModifyTargetGroupAttributes
    ModifyLoadBalancerAttributes RegisterTargets DeregisterTargets
    UpdateAutoScalingGroup PutScalingPolicy SetDesiredCapacity
    UpdateTable UpdateDomainConfig PutBucketPolicy
    PutRolePolicy AttachRolePolicy DetachRolePolicy
    """.split()
)
_API_VERSION = re.compile(r"\d{8}(v\d+)?$")
# requestParameters keys that name what a change touched, most specific first.
_RESOURCE_KEYS = (
    "functionName",
    "stackName",
    "deploymentGroupName",
    "applicationName",
    "dBInstanceIdentifier",
    "dBClusterIdentifier",
    "dBParameterGroupName",
    "autoScalingGroupName",
    "targetGroupArn",
    "listenerArn",
    "loadBalancerArn",
    "ruleArn",
    "groupId",
    "domainName",
    "tableName",
    "bucketName",
    "restApiId",
    "roleName",
    "name",
)


def normalise_event_name(name: str) -> str:
    """Return an event name without Lambda's API-version suffix (``...20150331v2``)."""
    return _API_VERSION.sub("", name)


def wants_event(name: str, event_names: frozenset[str] | None) -> bool:
    """Return whether a write event is asked for (``None`` asks for every write event)."""
    return event_names is None or normalise_event_name(name) in event_names


def _dimensions(dimensions: Iterable[Mapping[str, str]]) -> str:
    return ", ".join(f"{d['Name']}={d['Value']}" for d in dimensions)


def alarm_rows(
    metric_alarms: Iterable[Mapping[str, Any]], composite_alarms: Iterable[Mapping[str, Any]]
) -> list[dict[str, Any]]:
    """Return one row per alarm from DescribeAlarms' ``MetricAlarms`` and ``CompositeAlarms``."""
    rows = []
    for alarm in metric_alarms:
        metrics = alarm.get("Metrics") or []
        expression = "; ".join(
            f"{m['Id']} = {m['Expression']}" for m in metrics if "Expression" in m
        )
        stats = [m["MetricStat"] for m in metrics if "MetricStat" in m]
        first = stats[0]["Metric"] if stats else {}
        rows.append(
            {
                **_common(alarm, "MetricAlarm"),
                "namespace": alarm.get("Namespace") or first.get("Namespace"),
                "metric_name": alarm.get("MetricName")
                or ", ".join(s["Metric"]["MetricName"] for s in stats)
                or None,
                "dimensions": _dimensions(alarm.get("Dimensions") or first.get("Dimensions", [])),
                "statistic": alarm.get("Statistic")
                or alarm.get("ExtendedStatistic")
                or ", ".join(sorted({s["Stat"] for s in stats}))
                or None,
                "period": alarm.get("Period") or (stats[0]["Period"] if stats else None),
                "expression": expression or None,
                "threshold": alarm.get("Threshold"),
                "comparison": alarm.get("ComparisonOperator"),
                "evaluation_periods": alarm.get("EvaluationPeriods"),
                "datapoints_to_alarm": alarm.get("DatapointsToAlarm")
                or alarm.get("EvaluationPeriods"),
                "treat_missing_data": alarm.get("TreatMissingData", "missing"),
            }
        )
    for alarm in composite_alarms:
        rows.append({**_common(alarm, "CompositeAlarm"), "expression": alarm.get("AlarmRule")})
    return sorted(rows, key=lambda row: row["alarm_name"])


def _common(alarm: Mapping[str, Any], kind: str) -> dict[str, Any]:
    return {
        "alarm_name": alarm["AlarmName"],
        "alarm_type": kind,
        "state": alarm.get("StateValue"),
        "state_reason": alarm.get("StateReason"),
        "state_updated": alarm.get("StateUpdatedTimestamp"),
        "actions_enabled": alarm.get("ActionsEnabled"),
        "description": alarm.get("AlarmDescription"),
        "arn": alarm.get("AlarmArn"),
    }


def history_rows(items: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Return one row per DescribeAlarmHistory item, oldest first, states parsed from its data."""
    rows = []
    for item in items:
        try:
            data = json.loads(item.get("HistoryData") or "{}")
        except json.JSONDecodeError:
            data = {}
        old, new = data.get("oldState") or {}, data.get("newState") or {}
        rows.append(
            {
                "timestamp": item["Timestamp"],
                "alarm_name": item["AlarmName"],
                "alarm_type": item.get("AlarmType"),
                "item_type": item.get("HistoryItemType"),
                "old_state": old.get("stateValue"),
                "new_state": new.get("stateValue"),
                "summary": item.get("HistorySummary"),
                "reason": new.get("stateReason"),
                "data": item.get("HistoryData"),
            }
        )
    return sorted(rows, key=lambda row: (str(row["timestamp"]), row["alarm_name"]))


def change_row(record: Mapping[str, Any]) -> dict[str, Any]:
    """Return a change row from one CloudTrail record (a log-file record or ``CloudTrailEvent``)."""
    parameters = record.get("requestParameters") or {}
    response = record.get("responseElements") or {}
    identity = record.get("userIdentity") or {}
    return {
        "event_time": record["eventTime"],
        "account_id": record.get("recipientAccountId") or identity.get("accountId"),
        "region": record.get("awsRegion"),
        "event_source": record.get("eventSource"),
        "event_name": record.get("eventName"),
        "action": normalise_event_name(record.get("eventName", "")),
        "resource": _resource(parameters),
        "actor": identity.get("arn") or identity.get("invokedBy") or identity.get("type"),
        "request_parameters": json.dumps(parameters, sort_keys=True) if parameters else None,
        "event_id": record.get("eventID"),
        "response_elements": json.dumps(response, sort_keys=True) if response else None,
    }


def _resource(parameters: Mapping[str, Any]) -> str | None:
    if "service" in parameters and isinstance(parameters["service"], str):
        cluster = parameters.get("cluster")
        return f"{cluster}/{parameters['service']}" if cluster else parameters["service"]
    for key in _RESOURCE_KEYS:
        value = parameters.get(key)
        if isinstance(value, str) and value:
            return value
    return None


def health_rows(
    events: Iterable[Mapping[str, Any]],
    descriptions: Mapping[str, str],
    entities: Mapping[str, list[str]],
) -> list[dict[str, Any]]:
    """Return one row per AWS Health event with its description and affected entities."""
    return sorted(
        (
            {
                "arn": event["arn"],
                "service": event.get("service"),
                "event_type": event.get("eventTypeCode"),
                "category": event.get("eventTypeCategory"),
                "region": event.get("region"),
                "availability_zone": event.get("availabilityZone"),
                "start": event.get("startTime"),
                "end": event.get("endTime"),
                "last_updated": event.get("lastUpdatedTime"),
                "status": event.get("statusCode"),
                "scope": event.get("eventScopeCode"),
                "affected_entities": ", ".join(entities.get(event["arn"], [])) or None,
                "description": descriptions.get(event["arn"]),
            }
            for event in events
        ),
        key=lambda row: str(row["start"]),
    )


def log_group_settings_rows(
    groups: Iterable[Mapping[str, Any]], last_events: Mapping[str, Any]
) -> list[dict[str, Any]]:
    """Return one row per DescribeLogGroups group, by name, with its newest event (if known)."""
    rows = [
        {
            "log_group": group["logGroupName"],
            "retention_days": group.get("retentionInDays"),
            "stored_bytes": group.get("storedBytes"),
            "created": _epoch_ms(group.get("creationTime")),
            "metric_filters": group.get("metricFilterCount"),
            "last_event": last_events.get(group["logGroupName"]),
        }
        for group in groups
    ]
    return sorted(rows, key=lambda row: row["log_group"])


def alarm_action_rows(
    metric_alarms: Iterable[Mapping[str, Any]], composite_alarms: Iterable[Mapping[str, Any]]
) -> list[dict[str, Any]]:
    """Return one row per DescribeAlarms alarm, by name, with how many actions each state fires."""
    rows = []
    for kind, alarms in (("metric", metric_alarms), ("composite", composite_alarms)):
        for alarm in alarms:
            actions = [alarm.get(k) or [] for k in
                       ("AlarmActions", "OKActions", "InsufficientDataActions")]  # fmt: skip
            rows.append(
                {
                    "alarm_name": alarm["AlarmName"],
                    "alarm_type": kind,
                    "state": alarm.get("StateValue"),
                    "state_updated": alarm.get("StateUpdatedTimestamp"),
                    "actions_enabled": alarm.get("ActionsEnabled", True),
                    "alarm_actions": len(actions[0]),
                    "ok_actions": len(actions[1]),
                    "insufficient_data_actions": len(actions[2]),
                    "targets": ", ".join(dict.fromkeys(a for group in actions for a in group)),
                }
            )
    return sorted(rows, key=lambda row: row["alarm_name"])


def _epoch_ms(value: Any) -> pd.Timestamp | None:
    return pd.Timestamp(int(value), unit="ms", tz="UTC") if value else None
