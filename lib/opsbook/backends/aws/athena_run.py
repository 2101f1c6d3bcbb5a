"""One Athena query execution, watched from start to end: retries, guardrails, cancellation.

:func:`run_execution` starts a query with StartQueryExecution and polls GetQueryExecution
itself, rather than leaving the wait to awswrangler, so that it always holds the query id and
calls StopQueryExecution whenever the wait ends before the query does: the caller interrupts
(KeyboardInterrupt, e.g. a notebook's stop button), the timeout passes, the bytes scanned so far
pass the cost cap, or polling fails (throttling past the retries, AccessDenied, a 5xx, the
network): no query is left running and billing (:mod:`._stopping`). Throttling
(TooManyRequestsException) is retried by the client's retry policy (:mod:`opsbook.backends.aws`);
if it persists the error says so.

Examples
--------
>>> execution_request("SELECT 1", [], database="cur", workgroup="primary",
...                   output=None, reuse_minutes=0)["WorkGroup"]
'primary'
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from opsbook.backends.aws import aws_errors
from opsbook.backends.aws._stopping import stopped_on_failure
from opsbook.errors import (
    AccessDeniedError,
    ConfigurationError,
    QueryCancelledError,
    QueryFailedError,
)

__all__ = ["Execution", "execution_request", "run_execution"]

_RUNNING = {"QUEUED", "RUNNING"}
_THROTTLED = (
    "too many Athena calls or queries at once in the account: wait, or ask for a higher quota"
)


@dataclass
class Execution:
    """A finished Athena execution: its id and the statistics Athena reported."""

    query_id: str
    bytes_scanned: int
    reused: bool
    output_location: str | None


def execution_request(
    sql: str,
    params: list[str],
    *,
    database: str,
    workgroup: str,
    output: str | None,
    reuse_minutes: int,
) -> dict[str, Any]:
    """Return the StartQueryExecution request: workgroup, database, parameters, result reuse."""
    request: dict[str, Any] = {
        "QueryString": sql,
        "QueryExecutionContext": {"Database": database, "Catalog": "AwsDataCatalog"},
        "WorkGroup": workgroup,
        "ResultReuseConfiguration": {
            "ResultReuseByAgeConfiguration": (
                {"Enabled": True, "MaxAgeInMinutes": reuse_minutes}
                if reuse_minutes > 0
                else {"Enabled": False}
            )
        },
    }
    if params:
        request["ExecutionParameters"] = params
    if output:
        request["ResultConfiguration"] = {"OutputLocation": output}
    return request


def run_execution(
    client: Any,
    request: dict[str, Any],
    *,
    name: str,
    timeout: float | None,
    max_bytes: int,
    sleep: Callable[[float], None] = time.sleep,
    clock: Callable[[], float] = time.monotonic,
) -> Execution:
    """Start the query, wait for it, and stop it if the wait ends first, for whatever reason.

    Raises
    ------
    QueryCancelledError
        After StopQueryExecution, for an interrupt, the timeout or the bytes cap.
    QueryFailedError
        When Athena reports FAILED (with its reason and the query name) or CANCELLED.
    AccessDeniedError, ConfigurationError
        For missing permissions (naming the action) or a missing table.
    """
    started = clock()
    with aws_errors("athena:StartQueryExecution", throttled=_THROTTLED):
        query_id = client.start_query_execution(**request)["QueryExecutionId"]
    try:
        with stopped_on_failure(
            lambda: client.stop_query_execution(QueryExecutionId=query_id),
            f"Athena query {query_id}",
            "the Athena console",
        ):
            execution = _wait(client, query_id, name, timeout, max_bytes, started, sleep, clock)
    except KeyboardInterrupt as interrupt:
        raise QueryCancelledError(
            f"query {name!r} interrupted; {interrupt}", query_id=query_id
        ) from None
    state = execution["Status"]["State"]
    if state != "SUCCEEDED":
        reason = execution["Status"].get("StateChangeReason", "no reason given")
        raise _failure(name, query_id, state, reason)
    statistics = execution.get("Statistics", {})
    return Execution(
        query_id=query_id,
        bytes_scanned=int(statistics.get("DataScannedInBytes", 0)),
        reused=bool(statistics.get("ResultReuseInformation", {}).get("ReusedPreviousResult")),
        output_location=execution.get("ResultConfiguration", {}).get("OutputLocation"),
    )


def _wait(
    client: Any,
    query_id: str,
    name: str,
    timeout: float | None,
    max_bytes: int,
    started: float,
    sleep: Callable[[float], None],
    clock: Callable[[], float],
) -> dict[str, Any]:
    """Poll until the query ends and return its execution; raise past the timeout or the cap."""
    delay = 0.2
    while True:
        with aws_errors("athena:GetQueryExecution", throttled=_THROTTLED):
            execution = client.get_query_execution(QueryExecutionId=query_id)["QueryExecution"]
        if execution["Status"]["State"] not in _RUNNING:
            return execution
        scanned = int(execution.get("Statistics", {}).get("DataScannedInBytes", 0))
        if scanned > max_bytes:
            raise QueryCancelledError(
                f"query {name!r} scanned {scanned:,} bytes, past the cap of {max_bytes:,} set "
                "by max_query_cost_usd: narrow the billing periods or raise max_query_cost_usd",
                query_id=query_id,
            )
        if timeout is not None and clock() - started > timeout:
            raise QueryCancelledError(
                f"query {name!r} ran past the {timeout:g} s timeout: narrow the billing periods "
                "or raise the timeout",
                query_id=query_id,
            )
        sleep(delay)
        delay = min(delay * 1.5, 2.0)


def _failure(name: str, query_id: str, state: str, reason: str) -> Exception:
    text = reason.lower()
    if "table_not_found" in text or "does not exist" in text or "entitynotfound" in text:
        return ConfigurationError(
            f"query {name!r}: {reason}. Check the athena_database and athena_table settings "
            "(the Glue database and table of the CUR)"
        )
    if "access denied" in text or "accessdenied" in text:
        if "s3" in text or "bucket" in text:
            return AccessDeniedError(
                "s3:GetObject/s3:PutObject on the CUR and output buckets", reason
            )
        return AccessDeniedError("athena:StartQueryExecution, glue:GetTable", reason)
    verb = "was cancelled" if state == "CANCELLED" else "failed"
    return QueryFailedError(
        f"Athena query {name!r} {verb} ({query_id}): {reason}", query_id=query_id
    )
