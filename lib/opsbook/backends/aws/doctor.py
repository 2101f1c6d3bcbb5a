"""``opsbook doctor`` on the aws backend: credentials, then what each source reads, by API call.

Every call is a read (``sts:GetCallerIdentity``, ``athena:GetWorkGroup``, ``s3:HeadBucket``,
``glue:GetTable``, ...) through the backend's clients (:func:`opsbook.backends.aws.client`); a
denied call names the IAM action to grant. Without usable credentials the rest is SKIPPED.
Traces are checked where the traces reads go (:mod:`._trace_destination`): the ``aws/spans``
log group with Transaction Search, else X-Ray's service graph of the last minutes; canaries by
DescribeCanaries, and GetCanaryRuns of the first canary listed.

Examples
--------
>>> from opsbook.settings import resolve
>>> [c.name for c in checks(resolve(backend="aws"))]  # doctest: +SKIP
['credentials', 'athena workgroup', 'athena output', 'CUR table', 'logs', 'metrics', 'traces', 'canaries']
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from opsbook import clock
from opsbook.backends.aws import aws_errors, client
from opsbook.backends.aws._trace_destination import SPANS, trace_destination
from opsbook.backends.checks import PASS, SKIPPED, Check, attempt
from opsbook.backends.contract import Doctor, contract_functions
from opsbook.errors import OpsbookError
from opsbook.settings import Settings

__all__ = contract_functions(Doctor)

_RECENT, _RECENT_TEXT = pd.Timedelta(minutes=5), "5 minutes"  # the service graph asked for


def checks(settings: Settings) -> list[Check]:
    """Return the credentials check, then Athena's, the logs', metrics', traces', canaries'."""

    def call(service: str, operation: str, **kwargs: Any) -> dict[str, Any]:
        action = f"{service}:{''.join(p.capitalize() for p in operation.split('_'))}"
        with aws_errors(action):
            return getattr(client(settings, service), operation)(**kwargs)

    def identity() -> str:
        found = call("sts", "get_caller_identity")
        return f"account {found['Account']} as {found['Arn']}"

    found = [
        attempt(
            "credentials",
            identity,
            "configure the standard chain: AWS_PROFILE / `aws sso login` / an instance role",
        )
    ]
    if found[0].status != PASS:
        reason = "no usable credentials"
        names = ("athena workgroup", "athena output", "CUR table", "logs", "metrics", "traces",
                 "canaries")  # fmt: skip
        return found + [Check(n, SKIPPED, reason) for n in names]

    group = settings.athena_workgroup
    output: dict[str, str] = {}

    def workgroup() -> str:
        answer = call("athena", "get_work_group", WorkGroup=group)["WorkGroup"]
        if answer.get("State") != "ENABLED":
            raise OpsbookError(f"workgroup {group} is {answer.get('State')}")
        location = answer.get("Configuration", {}).get("ResultConfiguration", {})
        output["url"] = settings.athena_output_location or location.get("OutputLocation", "")
        return f"{group} is enabled"

    def bucket() -> str:
        url = output.get("url", "")
        if not url.startswith("s3://"):
            raise OpsbookError("no query result location in the workgroup or settings")
        name = url[5:].split("/", 1)[0]
        call("s3", "head_bucket", Bucket=name)
        return f"{url} reachable"

    def table() -> str:
        database, name = settings.athena_database, settings.athena_table
        answer = call("glue", "get_table", DatabaseName=database, Name=name)["Table"]
        keys = [k["Name"] for k in answer.get("PartitionKeys", [])]
        parts = call("glue", "get_partitions", DatabaseName=database, TableName=name)
        values = sorted("/".join(p["Values"]) for p in parts.get("Partitions", []))
        latest = values[-1] if values else "none"
        return f"{database}.{name}, partitioned by {', '.join(keys) or '-'}, latest {latest}"

    def groups() -> str:
        answer = call("logs", "describe_log_groups", limit=5)["logGroups"]
        return f"log groups readable ({len(answer)} in the first page)"

    def listing() -> str:
        answer = call("cloudwatch", "list_metrics")["Metrics"]
        return f"metrics readable ({len(answer)} in the first page)"

    def traced() -> str:
        where = trace_destination(client(settings, "xray"))
        if where["source"] == SPANS:
            listed = call("logs", "describe_log_groups", logGroupNamePrefix=SPANS)["logGroups"]
            if SPANS not in {g["logGroupName"] for g in listed}:
                raise OpsbookError(f"{where['reason']}, yet no {SPANS} log group is listed")
            return f"spans in the {SPANS} log group ({where['reason']})"
        now = clock.now()
        graph = call("xray", "get_service_graph", StartTime=now - _RECENT, EndTime=now)
        services = len(graph.get("Services", []))
        return f"X-Ray readable ({services} services in the last {_RECENT_TEXT}; {where['reason']})"

    def synthetics() -> str:
        listed = call("synthetics", "describe_canaries", MaxResults=20)["Canaries"]
        if listed:
            call("synthetics", "get_canary_runs", Name=listed[0]["Name"], MaxResults=1)
        return f"canaries readable ({len(listed)} in the first page)"

    found.append(
        attempt("athena workgroup", workgroup, f"create workgroup {group} or set athena_workgroup")
    )
    if found[-1].status == PASS:
        found.append(
            attempt("athena output", bucket, "set athena_output_location to a bucket you can write")
        )
    else:
        found.append(Check("athena output", SKIPPED, "the workgroup check failed"))
    found += [
        attempt("CUR table", table, "set athena_database / athena_table to your CUR 2.0 table"),
        attempt("logs", groups, "grant logs:DescribeLogGroups and logs:StartQuery"),
        attempt("metrics", listing, "grant cloudwatch:ListMetrics and cloudwatch:GetMetricData"),
        attempt("traces", traced, "grant xray:GetServiceGraph, xray:GetTraceSummaries, "
                "xray:BatchGetTraces and xray:GetTraceSegmentDestination; with Transaction Search, "
                f"logs:DescribeLogGroups and logs:StartQuery on {SPANS}"),
        attempt("canaries", synthetics,
                "grant synthetics:DescribeCanaries and synthetics:GetCanaryRuns"),
    ]  # fmt: skip
    return found
