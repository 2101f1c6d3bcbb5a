"""``opsbook doctor``: check that the configured backend has what the notebooks need.

Each check says PASS or FAIL and, when it fails, what to do. A check that cannot run because an
earlier one failed says SKIPPED with the reason, never PASS. Nothing is changed anywhere: on AWS
every call is a read (``sts:GetCallerIdentity``, ``athena:GetWorkGroup``, ``glue:GetTable`` ...).

Examples
--------
>>> from opsbook.settings import resolve
>>> checks = run_checks(resolve())  # doctest: +SKIP
>>> [c.status for c in checks]  # doctest: +SKIP
['PASS', 'PASS', 'PASS', 'PASS', 'PASS', 'PASS', 'PASS']
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3

from opsbook.backends import layout
from opsbook.errors import OpsbookError
from opsbook.settings import Settings

__all__ = ["Check", "format_checks", "run_checks"]

PASS, FAIL, SKIPPED = "PASS", "FAIL", "SKIPPED"


@dataclass(frozen=True)
class Check:
    """One check's outcome: what was checked, PASS/FAIL/SKIPPED, what was found, how to fix it."""

    name: str
    status: str
    detail: str
    fix: str = ""


def run_checks(settings: Settings, *, boto3_session: boto3.Session | None = None) -> list[Check]:
    """Run the checks for ``settings.backend`` and return them in order.

    Parameters
    ----------
    settings
        The settings to check (backend, data folder, AWS coordinates).
    boto3_session
        Session for the aws checks; by default one from the standard credential chain.
    """
    checks = [_python(), _kernel()]
    if settings.backend == "local":
        checks += _local_checks(settings)
    else:
        checks += _aws_checks(settings, boto3_session)
    return checks


def format_checks(checks: list[Check]) -> str:
    """Return the checks as an aligned text table (check, status, detail, fix)."""
    width = max(len(c.name) for c in checks)
    lines = []
    for check in checks:
        lines.append(f"{check.name:<{width}}  {check.status:<7}  {check.detail}")
        if check.fix and check.status != PASS:
            lines.append(f"{'':<{width}}  {'':<7}  fix: {check.fix}")
    return "\n".join(lines)


def _python() -> Check:
    # The package requires 3.11, so an older Python never gets this far: report which one runs.
    version = ".".join(map(str, sys.version_info[:3]))
    return Check("python", PASS, f"Python {version} at {sys.executable}")


def _kernel() -> Check:
    from jupyter_client.kernelspec import KernelSpecManager, NoSuchKernel

    from opsbook.runner import KERNEL_NAME

    fix = "run `make install` (it installs the opsbook kernel into the environment)"
    try:
        spec = KernelSpecManager().get_kernel_spec(KERNEL_NAME)
    except NoSuchKernel:
        return Check("kernel", FAIL, f"no Jupyter kernel named {KERNEL_NAME!r}", fix)
    if not Path(spec.argv[0]).exists():
        return Check("kernel", FAIL, f"kernel {KERNEL_NAME!r} runs a missing {spec.argv[0]}", fix)
    return Check("kernel", PASS, f"{spec.display_name} runs {spec.argv[0]}")


def _attempt(name: str, probe: Callable[[], str], fix: str) -> Check:
    """Run ``probe``; its text is the PASS detail, an opsbook error the FAIL detail."""
    try:
        return Check(name, PASS, probe())
    except OpsbookError as error:
        return Check(name, FAIL, str(error), fix)


def _local_checks(settings: Settings) -> list[Check]:
    from opsbook import athena, logs, metrics

    folder = Path(settings.data_dir)
    generate = "run `opsbook sample generate`, or set data_dir to a copy of your S3 exports"
    if not folder.is_dir():
        found = Check("data dir", FAIL, f"{folder} does not exist", generate)
        reason = "no data folder"
        return [found] + [
            Check(n, SKIPPED, reason) for n in ("CUR", "logs", "metrics", "incident data")
        ]

    def cur() -> str:
        periods = athena.describe_cur(settings=settings)
        return f"{len(periods)} billing periods, latest {periods.billing_period.max()}"

    def groups() -> str:
        found = logs.describe_log_groups(settings=settings)
        return f"{len(found)} log groups, {int(found.events.sum()):,} events"

    def namespaces() -> str:
        found = metrics.describe_namespaces(settings=settings)
        return f"{len(found)} namespaces: {', '.join(found.namespace)}"

    def incident() -> str:
        wanted = [layout.DESCRIBE_ALARMS, layout.ALARM_HISTORY, layout.HEALTH, layout.CLOUDTRAIL]
        missing = [w for w in wanted if not (folder / w).exists()]
        if missing:
            raise OpsbookError(f"missing {', '.join(missing)} under {folder}")
        return "alarms, alarm history, CloudTrail and Health files present"

    return [
        Check("data dir", PASS, str(folder)),
        _attempt("CUR", cur, "export CUR 2.0 (Parquet) under data_dir/cur/<export>/data/"),
        _attempt("logs", groups, "copy CloudWatch Logs exports under data_dir/logs/"),
        _attempt("metrics", namespaces, "copy Metric Streams output under data_dir/metrics/"),
        _attempt("incident data", incident, "write DescribeAlarms etc. output as the sample does"),
    ]


def _aws_checks(settings: Settings, boto3_session: boto3.Session | None) -> list[Check]:
    from opsbook.backends.aws import aws_errors, session

    aws = boto3_session or session(settings)

    def call(service: str, operation: str, **kwargs: Any) -> dict[str, Any]:
        action = f"{service}:{''.join(p.capitalize() for p in operation.split('_'))}"
        with aws_errors(action):
            return getattr(aws.client(service), operation)(**kwargs)

    def identity() -> str:
        found = call("sts", "get_caller_identity")
        return f"account {found['Account']} as {found['Arn']}"

    checks = [
        _attempt(
            "credentials",
            identity,
            "configure the standard chain: AWS_PROFILE / `aws sso login` / an instance role",
        )
    ]
    if checks[0].status != PASS:
        reason = "no usable credentials"
        names = ("athena workgroup", "athena output", "CUR table", "logs", "metrics")
        return checks + [Check(n, SKIPPED, reason) for n in names]

    group = settings.athena_workgroup
    output: dict[str, str] = {}

    def workgroup() -> str:
        found = call("athena", "get_work_group", WorkGroup=group)["WorkGroup"]
        if found.get("State") != "ENABLED":
            raise OpsbookError(f"workgroup {group} is {found.get('State')}")
        location = found.get("Configuration", {}).get("ResultConfiguration", {})
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
        found = call("glue", "get_table", DatabaseName=database, Name=name)["Table"]
        keys = [k["Name"] for k in found.get("PartitionKeys", [])]
        parts = call("glue", "get_partitions", DatabaseName=database, TableName=name)
        values = sorted("/".join(p["Values"]) for p in parts.get("Partitions", []))
        latest = values[-1] if values else "none"
        return f"{database}.{name}, partitioned by {', '.join(keys) or '-'}, latest {latest}"

    def groups() -> str:
        found = call("logs", "describe_log_groups", limit=5)["logGroups"]
        return f"log groups readable ({len(found)} in the first page)"

    def listing() -> str:
        found = call("cloudwatch", "list_metrics")["Metrics"]
        return f"metrics readable ({len(found)} in the first page)"

    checks.append(
        _attempt("athena workgroup", workgroup, f"create workgroup {group} or set athena_workgroup")
    )
    if checks[-1].status == PASS:
        checks.append(
            _attempt(
                "athena output", bucket, "set athena_output_location to a bucket you can write"
            )
        )
    else:
        checks.append(Check("athena output", SKIPPED, "the workgroup check failed"))
    checks += [
        _attempt("CUR table", table, "set athena_database / athena_table to your CUR 2.0 table"),
        _attempt("logs", groups, "grant logs:DescribeLogGroups and logs:StartQuery"),
        _attempt("metrics", listing, "grant cloudwatch:ListMetrics and cloudwatch:GetMetricData"),
    ]
    return checks
