"""``opsbook doctor`` on the aws backend: credentials, then what each source reads, by API call.

Every call is a read (``sts:GetCallerIdentity``, ``athena:GetWorkGroup``, ``s3:HeadBucket``,
``glue:GetTable``, ...) through the backend's clients (:func:`opsbook.backends.aws.client`); a
denied call names the IAM action to grant. Without usable credentials the rest is SKIPPED.

Examples
--------
>>> from opsbook.settings import resolve
>>> [c.name for c in checks(resolve(backend="aws"))]  # doctest: +SKIP
['credentials', 'athena workgroup', 'athena output', 'CUR table', 'logs', 'metrics']
"""

from __future__ import annotations

from typing import Any

from opsbook.backends.aws import aws_errors, client
from opsbook.backends.checks import PASS, SKIPPED, Check, attempt
from opsbook.errors import OpsbookError
from opsbook.settings import Settings

__all__ = ["checks"]


def checks(settings: Settings) -> list[Check]:
    """Return the credentials check, then the Athena workgroup, output, CUR table, logs, metrics."""

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
        names = ("athena workgroup", "athena output", "CUR table", "logs", "metrics")
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
    ]
    return found
