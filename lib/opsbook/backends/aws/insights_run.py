"""One logical Logs Insights query on AWS, watched from start to end: batches, splits, merges.

:func:`run_query` runs Logs Insights text with StartQuery / GetQueryResults and is careful about
what the API leaves to the caller:

- at most 50 log groups per query: more are split into batches whose rows are merged;
- polling with a deadline; every terminal status handled (Complete, Failed, Cancelled, Timeout,
  Unknown); StopQuery whenever the wait ends before the query does (the deadline, a
  KeyboardInterrupt, throttling past the retries, AccessDenied, a 5xx or the network while
  polling), so nothing keeps scanning (billed) (:mod:`._stopping`);
- LimitExceededException (too many concurrent queries) retried by the client's retry policy
  (:mod:`opsbook.backends.aws`); if it persists the error says so;
- the 10,000-row cap: a chunk that returns the cap is split in two halves of its time range and
  re-queried recursively; rows are merged, de-duplicated (by ``@ptr``) and re-sorted. Exact for
  event queries; for ``stats`` queries rows cannot be merged exactly, which the result says;
- bytes scanned summed from the query statistics, with the cost at ``PRICE_PER_GB``.

:func:`opsbook.backends.aws.logs.query` frames the merged rows as the contract says.

Examples
--------
>>> from opsbook.settings import resolve
>>> import datetime as dt
>>> run_query(resolve(backend="aws"), "fields @message", ["/ecs/checkout-api"],
...           dt.datetime(2026, 11, 14, tzinfo=dt.UTC), dt.datetime(2026, 11, 15, tzinfo=dt.UTC),
...           limit=10)  # doctest: +SKIP
"""

from __future__ import annotations

import datetime as dt
import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from botocore.exceptions import ClientError

from opsbook.backends.aws import aws_errors
from opsbook.backends.aws import client as aws_client
from opsbook.backends.aws._stopping import stopped_on_failure
from opsbook.errors import ConfigurationError, QueryCancelledError, QueryFailedError
from opsbook.settings import Settings

__all__ = ["GROUPS_PER_QUERY", "PRICE_PER_GB", "ROW_CAP", "InsightsRun", "run_query"]

#: Logs Insights price per GB scanned (USD; GB = 2**30 bytes, as AWS bills data).
PRICE_PER_GB = 0.005
#: Log groups one StartQuery accepts through ``logGroupNames``.
GROUPS_PER_QUERY = 50
#: Rows one query returns at most (GetQueryResults cannot page past it).
ROW_CAP = 10_000
_TERMINAL = {"Complete", "Failed", "Cancelled", "Timeout", "Unknown"}
_THROTTLED = (
    "too many Logs Insights queries are running in the account and region: wait for some to "
    "finish, or query fewer log groups or a shorter range at a time"
)


@dataclass
class InsightsRun:
    """Merged GetQueryResults rows of one logical query, with statistics and caveats."""

    records: list[list[dict[str, str]]] = field(default_factory=list)
    statistics: dict[str, float] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    query_ids: list[str] = field(default_factory=list)


@dataclass
class _Plan:
    text: str
    is_stats: bool
    sort_fields: list[tuple[str, bool]]
    explicit_limit: int | None


def run_query(
    settings: Settings,
    text: str,
    log_groups: Sequence[str],
    start: dt.datetime,
    end: dt.datetime,
    *,
    limit: int | None,
    deadline_seconds: float = 900.0,
    poll_seconds: float = 1.0,
    client: Any = None,
    sleep: Callable[[float], None] = time.sleep,
    clock: Callable[[], float] = time.monotonic,
) -> InsightsRun:
    """Run Logs Insights ``text`` on AWS over ``log_groups`` in ``[start, end]``.

    Parameters
    ----------
    limit
        Rows wanted; ``None`` = every matching row (event queries are split as needed).
    deadline_seconds
        Wall-clock budget for the whole call; queries still running then are stopped.
    client, sleep, clock
        Injection points for tests (a stubbed client, a fake clock).

    Raises
    ------
    QueryFailedError, QueryCancelledError, ConfigurationError
        For a failed, cancelled/timed-out or malformed query.
    """
    from opsbook.insights import reads_other_groups
    from opsbook.insights.parser import query_language

    # SOURCE (or OpenSearch SQL's FROM / PPL's source=) names the groups inside the query.
    if not log_groups and not (reads_other_groups(text) or query_language(text) != "CWLI"):
        raise ConfigurationError("name at least one log group to query on the aws backend")
    client = client or aws_client(settings, "logs")
    plan = _plan(text)
    runner = _Runner(client, plan, deadline=clock() + deadline_seconds, poll=poll_seconds,
                     sleep=sleep, clock=clock)  # fmt: skip
    out = InsightsRun()
    batches = [
        list(log_groups[i : i + GROUPS_PER_QUERY])
        for i in range(0, len(log_groups), GROUPS_PER_QUERY)
    ] or [[]]
    if plan.is_stats and len(batches) > 1:
        out.notes.append(
            f"{len(log_groups)} log groups were queried in {len(batches)} batches of at most "
            f"{GROUPS_PER_QUERY}: stats rows are per batch and were not combined"
        )
    # StartQuery's range is inclusive, in whole epoch seconds: [start, end) is the seconds
    # from floor(start) to ceil(end) - 1.
    first, last = math.floor(start.timestamp()), math.ceil(end.timestamp()) - 1
    if last < first:
        raise ConfigurationError(
            f"the end {end.isoformat()} is not after the start {start.isoformat()}"
        )
    for batch in batches:
        out.records += runner.run_range(batch, first, last, out)
    out.records = _merge(out.records, plan, limit)
    out.statistics = runner.statistics
    out.statistics["costUsd"] = runner.statistics.get("bytesScanned", 0.0) / 2**30 * PRICE_PER_GB
    out.query_ids = runner.query_ids
    return out


def _plan(text: str) -> _Plan:
    """Read what merging needs from the query (stats or events, sort keys, explicit limit)."""
    from opsbook.insights import ast, parse_query
    from opsbook.insights.semantics import DECISIONS

    try:
        parsed = parse_query(text)
    except ConfigurationError:
        # Let CloudWatch judge text the local parser does not know (e.g. newer commands).
        return _Plan(text, "stats" in text.lower(), [], None)
    is_stats = any(isinstance(c, ast.Stats | ast.Pattern) for c in parsed.commands)
    sort_fields: list[tuple[str, bool]] = []
    explicit = None
    default_desc = DECISIONS["default_sort_direction"].choice == "desc"
    for command in parsed.commands:
        if isinstance(command, ast.Sort):
            sort_fields = [
                (k.expr.name, default_desc if k.descending is None else k.descending)
                for k in command.keys
                if isinstance(k.expr, ast.Field)
            ]
        if isinstance(command, ast.Limit):
            explicit = command.count
    return _Plan(text, is_stats, sort_fields, explicit)


class _Runner:
    def __init__(self, client: Any, plan: _Plan, *, deadline: float, poll: float,
                 sleep: Callable[[float], None], clock: Callable[[], float]) -> None:  # fmt: skip
        self.client, self.plan = client, plan
        self.deadline, self.poll, self.sleep, self.clock = deadline, poll, sleep, clock
        self.statistics: dict[str, float] = {}
        self.query_ids: list[str] = []

    def run_range(self, groups: list[str], first: int, last: int, out: InsightsRun) -> list:
        rows = self.run_once(groups, first, last)
        if len(rows) < ROW_CAP or (self.plan.explicit_limit or ROW_CAP + 1) <= ROW_CAP:
            return rows
        if self.plan.is_stats:
            out.notes.append(
                f"a stats query returned the {ROW_CAP:,}-row cap for {_span(first, last)}: "
                "stats rows cannot be merged exactly across time ranges, so rows may be missing; "
                "group by fewer or coarser keys"
            )
            return rows
        if last <= first:
            out.notes.append(
                f"more than {ROW_CAP:,} events within the second {_span(first, last)}: "
                "the result is incomplete there (add a filter)"
            )
            return rows
        middle = (first + last) // 2
        return self.run_range(groups, first, middle, out) + self.run_range(
            groups, middle + 1, last, out
        )

    def run_once(self, groups: list[str], first: int, last: int) -> list:
        query_id = self.start(groups, first, last)
        with stopped_on_failure(
            lambda: self.client.stop_query(queryId=query_id),
            f"Logs Insights query {query_id}",
            "the CloudWatch console (Logs Insights > History)",
        ):
            response = self.wait(query_id)
        status = response.get("status", "Unknown")
        if status == "Complete":
            for key, value in (response.get("statistics") or {}).items():
                self.statistics[key] = self.statistics.get(key, 0.0) + float(value)
            return response.get("results", [])
        if status == "Cancelled":
            raise QueryCancelledError(
                f"Logs Insights query {query_id} was cancelled", query_id=query_id
            )
        if status == "Timeout":
            raise QueryFailedError(
                f"Logs Insights query {query_id} timed out on CloudWatch's side (60 minutes): "
                "narrow the time range or the log groups",
                query_id=query_id,
            )
        raise QueryFailedError(
            f"Logs Insights query {query_id} ended with status {status}: check the query in the "
            "CloudWatch console (Logs Insights > History)",
            query_id=query_id,
        )

    def wait(self, query_id: str) -> dict:
        """Poll until the query ends and return the last answer; raise at the deadline."""
        while True:
            with aws_errors("logs:GetQueryResults"):
                response = self.client.get_query_results(queryId=query_id)
            status = response.get("status", "Unknown")
            if status in _TERMINAL:
                return response
            if self.clock() + self.poll > self.deadline:
                raise QueryCancelledError(
                    f"Logs Insights query {query_id} was still {status} at the deadline: "
                    "narrow the time range or raise the deadline",
                    query_id=query_id,
                )
            self.sleep(self.poll)

    def start(self, groups: list[str], first: int, last: int) -> str:
        try:
            from opsbook.insights.parser import query_language

            language = query_language(self.plan.text)
            response = self.client.start_query(
                **({"logGroupNames": groups} if groups else {}),
                **({"queryLanguage": language} if language != "CWLI" else {}),
                startTime=first,
                endTime=last,
                queryString=self.plan.text,
                limit=min(self.plan.explicit_limit or ROW_CAP, ROW_CAP),
            )
        except ClientError as error:
            code = error.response.get("Error", {}).get("Code", "")
            message = error.response.get("Error", {}).get("Message", "")
            if code == "MalformedQueryException":
                raise ConfigurationError(f"CloudWatch rejected the query: {message}") from None
            if code == "ResourceNotFoundException":
                raise ConfigurationError(
                    f"{message}: check the log group names (opsbook logs groups, or "
                    "describe_log_groups())"
                ) from None
            with aws_errors("logs:StartQuery", throttled=_THROTTLED):
                raise
        self.query_ids.append(response["queryId"])
        return response["queryId"]


def _span(first: int, last: int) -> str:
    def iso(seconds: int) -> str:
        return dt.datetime.fromtimestamp(seconds, dt.UTC).isoformat()

    return f"{iso(first)}..{iso(last)}"


def _merge(records: list, plan: _Plan, limit: int | None) -> list:
    """De-duplicate rows (by ``@ptr``, else by content), re-sort, apply the limits."""
    if plan.is_stats:
        rows = records
    else:
        seen: set = set()
        rows = []
        for row in records:
            cells = {c["field"]: c["value"] for c in row}
            key = cells.get("@ptr") or tuple(sorted(cells.items()))
            if key not in seen:
                seen.add(key)
                rows.append(row)
        from opsbook.insights.results import sort_key

        order = plan.sort_fields or [("@timestamp", True)]
        for name, descending in reversed(order):
            present = [r for r in rows if any(c["field"] == name for c in r)]
            absent = [r for r in rows if not any(c["field"] == name for c in r)]
            present.sort(
                key=lambda r, n=name: sort_key(next(c["value"] for c in r if c["field"] == n)),
                reverse=descending,
            )
            rows = present + absent
    for cap in (plan.explicit_limit, limit):
        if cap is not None:
            rows = rows[:cap]
    return rows
