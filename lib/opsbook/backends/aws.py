"""The aws backend: Athena through awswrangler, CloudWatch and CloudWatch Logs through boto3.

Credentials come only from the standard boto3 chain (environment, shared config and SSO, role);
``settings.profile`` merely picks a profile of that chain. AWS errors are turned into opsbook errors
that name what to do, e.g. the IAM action a role is missing.

Examples
--------
>>> from opsbook.settings import resolve
>>> session(resolve(backend="aws", region="eu-west-1")).region_name  # doctest: +SKIP
'eu-west-1'
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

import boto3
import pandas as pd
import sqlglot
from botocore.exceptions import (
    ClientError,
    NoCredentialsError,
    NoRegionError,
    TokenRetrievalError,
)
from sqlglot import exp

from opsbook.backends.frames import log_groups_frame, namespaces_frame
from opsbook.errors import AccessDeniedError, ConfigurationError, QueryFailedError
from opsbook.settings import Settings

__all__ = [
    "describe_log_groups",
    "describe_namespaces",
    "run_cur_query",
    "session",
]

_DENIED = {"AccessDenied", "AccessDeniedException", "UnauthorizedOperation", "UnauthorizedAccess"}
_EXPIRED = {"ExpiredToken", "ExpiredTokenException", "RequestExpired"}


def session(settings: Settings) -> boto3.Session:
    """Return a boto3 session for the settings' profile and region (standard credential chain)."""
    try:
        return boto3.Session(profile_name=settings.profile, region_name=settings.region)
    except Exception as error:  # ProfileNotFound and friends
        raise ConfigurationError(
            f"cannot open AWS profile {settings.profile!r}: {error}. "
            "Check `aws configure list-profiles` or unset the profile setting"
        ) from None


@contextlib.contextmanager
def aws_errors(action: str) -> Iterator[None]:
    """Translate boto3 failures during ``action`` (e.g. ``logs:DescribeLogGroups``)."""
    try:
        yield
    except ClientError as error:
        code = error.response.get("Error", {}).get("Code", "")
        message = error.response.get("Error", {}).get("Message", "")
        if code in _DENIED:
            raise AccessDeniedError(action, message) from None
        if code in _EXPIRED:
            raise ConfigurationError(
                "the AWS credentials have expired: refresh them (e.g. `aws sso login`) and rerun"
            ) from None
        raise QueryFailedError(f"{action} failed: {code}: {message}") from None
    except (NoCredentialsError, TokenRetrievalError) as error:
        raise ConfigurationError(
            f"no usable AWS credentials for {action} ({error}). Configure the standard chain "
            "(AWS_PROFILE, `aws sso login`, an instance role) or use backend = 'local'"
        ) from None
    except NoRegionError:
        raise ConfigurationError(
            "no AWS region: set the region setting or OPSBOOK_REGION"
        ) from None


def run_cur_query(sql: str, params: dict[str, Any], settings: Settings) -> pd.DataFrame:
    """Run Athena SQL against the configured CUR table; values go as execution parameters.

    The regular (non-CTAS) approach is used: CUR summaries are small, and it needs no Glue write
    permissions, which read-only FinOps roles usually lack. Values are sent with
    ``paramstyle="qmark"`` so Athena binds them server-side.
    """
    import awswrangler as wr

    tree = sqlglot.parse_one(sql, read="trino")
    for table in tree.find_all(exp.Table):
        if table.name == "cur" and not table.db:
            table.set("this", exp.to_identifier(settings.athena_table, quoted=True))
            table.set("db", exp.to_identifier(settings.athena_database, quoted=True))
    values = []
    for placeholder in list(tree.find_all(exp.Placeholder)):
        values.append(params[placeholder.name])
        placeholder.replace(exp.Placeholder())
    with aws_errors("athena:StartQueryExecution"):
        try:
            return wr.athena.read_sql_query(
                tree.sql(dialect="trino"),
                database=settings.athena_database,
                workgroup=settings.athena_workgroup,
                s3_output=settings.athena_output_location,
                ctas_approach=False,
                params=values or None,
                paramstyle="qmark",
                boto3_session=session(settings),
            )
        except wr.exceptions.QueryFailed as error:
            raise QueryFailedError(f"Athena query failed: {error}") from None


def describe_log_groups(settings: Settings) -> pd.DataFrame:
    """Return the account's log groups with stored bytes (event counts are not listed by AWS)."""
    client = session(settings).client("logs")
    rows = []
    with aws_errors("logs:DescribeLogGroups"):
        for page in client.get_paginator("describe_log_groups").paginate():
            for group in page["logGroups"]:
                rows.append(
                    {
                        "log_group": group["logGroupName"],
                        "format": "cloudwatch",
                        "streams": None,
                        "events": None,
                        "stored_bytes": group.get("storedBytes"),
                        "first_event": None,
                        "last_event": None,
                    }
                )
    return log_groups_frame(rows)


def describe_namespaces(settings: Settings) -> pd.DataFrame:
    """Return metric namespaces with their metric and series counts, from ListMetrics."""
    client = session(settings).client("cloudwatch")
    seen: dict[str, dict[str, set[Any]]] = {}
    with aws_errors("cloudwatch:ListMetrics"):
        for page in client.get_paginator("list_metrics").paginate():
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
