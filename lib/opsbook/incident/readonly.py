"""A read-only guard: refuse any AWS call whose operation is not a read, before it is sent.

Runbooks are opened during outages and must never change the account, whatever the role they run
with allows. :func:`enable_read_only` registers a botocore ``before-call`` hook on every session
the aws backend opens (and on boto3's default session), so a mutating call such as
``ecs:UpdateService`` or ``logs:PutRetentionPolicy`` fails with :class:`MutatingCallError`
before any request leaves the machine. Reads are operations named ``Describe*``, ``Get*``,
``List*``, ``Lookup*``, ``Filter*``, ``BatchGet*``, ``Search*``, ``Head*`` (S3 metadata), plus the
query calls Logs Insights and Athena need (they create no resource).

Examples
--------
>>> is_read_only("DescribeAlarms"), is_read_only("UpdateService"), is_read_only("StartQuery")
(True, False, True)
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

import boto3

from opsbook.backends.aws import SESSION_HOOKS
from opsbook.errors import OpsbookError

__all__ = [
    "READ_PREFIXES",
    "READ_QUERY_OPERATIONS",
    "MutatingCallError",
    "disable_read_only",
    "enable_read_only",
    "guard_session",
    "is_read_only",
    "read_only",
    "read_only_enabled",
]

READ_PREFIXES = ("Describe", "Get", "List", "Lookup", "Filter", "BatchGet", "Search", "Head")
#: Operations that are not named as reads but only run a query (no resource is changed).
READ_QUERY_OPERATIONS = frozenset(
    {"StartQuery", "StopQuery", "GetQueryResults", "StartQueryExecution", "StopQueryExecution"}
)
_EVENT = "before-call"
_UNIQUE_ID = "opsbook-read-only-guard"


class MutatingCallError(OpsbookError):
    """An AWS call that could change the account was refused by the read-only guard."""


def is_read_only(operation: str) -> bool:
    """Return whether the API operation ``operation`` (e.g. ``DescribeAlarms``) only reads.

    Examples
    --------
    >>> is_read_only("PutRetentionPolicy")
    False
    """
    return operation in READ_QUERY_OPERATIONS or operation.startswith(READ_PREFIXES)


def _refuse(model: Any, **_: Any) -> None:
    operation = model.name
    if is_read_only(operation):
        return
    service = model.service_model.endpoint_prefix
    raise MutatingCallError(
        f"refused {service}:{operation}: this runbook is read-only and never changes the account. "
        "Make the change yourself through your normal change process, outside the runbook"
    )


def guard_session(boto: boto3.Session) -> boto3.Session:
    """Register the guard on ``boto`` (clients created from it afterwards are guarded); return it.

    Examples
    --------
    >>> guard_session(boto3.Session(region_name="us-east-1")).region_name
    'us-east-1'
    """
    # unique_id: registering twice (a notebook cell run again) keeps one handler.
    boto.events.register(_EVENT, _refuse, unique_id=_UNIQUE_ID)
    return boto


def enable_read_only() -> None:
    """Guard every session the aws backend opens from now on, and boto3's default session.

    Examples
    --------
    >>> enable_read_only(); read_only_enabled()
    True
    >>> disable_read_only()
    """
    if guard_session not in SESSION_HOOKS:
        SESSION_HOOKS.append(guard_session)
    if boto3.DEFAULT_SESSION is None:
        boto3.setup_default_session()
    guard_session(boto3.DEFAULT_SESSION)


def disable_read_only() -> None:
    """Stop guarding new sessions (sessions already guarded stay guarded)."""
    while guard_session in SESSION_HOOKS:
        SESSION_HOOKS.remove(guard_session)
    if boto3.DEFAULT_SESSION is not None:
        boto3.DEFAULT_SESSION.events.unregister(_EVENT, unique_id=_UNIQUE_ID)


def read_only_enabled() -> bool:
    """Return whether new aws backend sessions are guarded."""
    return guard_session in SESSION_HOOKS


@contextlib.contextmanager
def read_only() -> Iterator[None]:
    """Guard AWS calls inside the block, restoring the previous state afterwards.

    Examples
    --------
    >>> with read_only():
    ...     read_only_enabled()
    True
    """
    was = read_only_enabled()
    enable_read_only()
    try:
        yield
    finally:
        if not was:
            disable_read_only()
