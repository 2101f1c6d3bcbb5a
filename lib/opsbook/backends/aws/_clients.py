"""boto3 sessions and clients for the aws backend: one retry policy, one cache, the read-only guard.

Every AWS call opsbook makes goes through a client of :func:`client`, or the session of
:func:`session` (what awswrangler is given):

- credentials, profile, region and endpoints come from the standard boto3 chain;
  ``settings.profile`` and ``settings.region`` only pick within it, and ``AWS_ENDPOINT_URL``
  points every client at an emulator;
- one retry policy: botocore's ``adaptive`` mode with :data:`MAX_ATTEMPTS` attempts in all,
  installed as the session's *defaults*, so ``AWS_RETRY_MODE`` / ``AWS_MAX_ATTEMPTS`` or
  ``retry_mode`` / ``max_attempts`` in the AWS config file win, as they do for the AWS CLI.
  Throttling (``Throttling``, ``TooManyRequestsException``, ``LimitExceededException``, ...) is
  retried there, and nowhere else in opsbook;
- sessions and clients are made once per process for each profile, region, ``AWS_*`` environment
  and service (making a client loads its service model: about 0.1 s; clients are thread-safe).
  botocore refreshes expiring credentials itself; :func:`reset` forgets every session, which
  :func:`~opsbook.backends.aws.aws_errors` does when credentials are expired or missing, so a
  rerun after ``aws sso login`` picks up the new ones;
- the read-only guard: while it is on (:func:`enable_read_only`, or :func:`read_only` for a
  block), a call whose operation is not a read (:func:`is_read_only`) is refused before any
  request leaves the machine, with :class:`~opsbook.errors.MutatingCallError`. It covers every
  client of this module, made before or after the switch, and clients of boto3's default session
  made after it (a runbook's own ``boto3.client(...)``).

Examples
--------
>>> from opsbook.settings import resolve
>>> logs = client(resolve(backend="aws", region="eu-west-1"), "logs")
>>> logs.meta.region_name, logs is client(resolve(backend="aws", region="eu-west-1"), "logs")
('eu-west-1', True)
>>> is_read_only("DescribeAlarms"), is_read_only("UpdateService"), is_read_only("StartQuery")
(True, False, True)
"""

from __future__ import annotations

import contextlib
import os
import threading
from collections.abc import Iterator
from typing import Any

import boto3
import botocore.session

from opsbook.errors import ConfigurationError, MutatingCallError
from opsbook.settings import Settings

__all__ = [
    "MAX_ATTEMPTS",
    "READ_PREFIXES",
    "READ_QUERY_OPERATIONS",
    "RETRY_MODE",
    "client",
    "disable_read_only",
    "enable_read_only",
    "is_read_only",
    "read_only",
    "read_only_enabled",
    "reset",
    "session",
]

#: botocore retry mode unless the environment or the AWS config file names one.
RETRY_MODE = "adaptive"
#: Attempts per call, the first included, unless the environment or the AWS config file say.
MAX_ATTEMPTS = 8

READ_PREFIXES = ("Describe", "Get", "List", "Lookup", "Filter", "BatchGet", "Search", "Head")
#: Operations that are not named as reads but only run a query (no resource is changed).
READ_QUERY_OPERATIONS = frozenset(
    {"StartQuery", "StopQuery", "GetQueryResults", "StartQueryExecution", "StopQueryExecution"}
)

_LOCK = threading.RLock()
_SESSIONS: dict[tuple[Any, ...], boto3.Session] = {}
_CLIENTS: dict[tuple[Any, ...], Any] = {}
_READ_ONLY = threading.Event()
_GUARD_EVENT = "before-call"
_GUARD_ID = "opsbook-read-only-guard"


def _session_vars() -> dict[str, tuple[Any, ...]]:
    """Return botocore's own settings for the retry mode and attempts, with opsbook's defaults."""
    known = botocore.session.Session.SESSION_VARIABLES
    ours = {"retry_mode": RETRY_MODE, "max_attempts": MAX_ATTEMPTS}
    # (config file key, environment variable, default, conversion): only the default changes.
    return {name: (*known[name][:2], value, known[name][3]) for name, value in ours.items()}


def _key(settings: Settings) -> tuple[Any, ...]:
    """Return what a session depends on: profile, region, the AWS_* environment (hashed)."""
    environment = frozenset(item for item in os.environ.items() if item[0].startswith("AWS_"))
    return settings.profile, settings.region, hash(environment)


def session(settings: Settings) -> boto3.Session:
    """Return the process's boto3 session for the settings' profile and region.

    Raises
    ------
    ConfigurationError
        When the profile does not exist.

    Examples
    --------
    >>> from opsbook.settings import resolve
    >>> session(resolve(backend="aws", region="eu-west-1")).region_name
    'eu-west-1'
    """
    return _session(_key(settings), settings)


def _session(key: tuple[Any, ...], settings: Settings) -> boto3.Session:
    with _LOCK:
        if key not in _SESSIONS:
            core = botocore.session.Session(session_vars=_session_vars())
            try:
                made = boto3.Session(
                    botocore_session=core,
                    profile_name=settings.profile,
                    region_name=settings.region,
                )
            except Exception as error:  # ProfileNotFound and friends
                raise ConfigurationError(
                    f"cannot open AWS profile {settings.profile!r}: {error}. "
                    "Check `aws configure list-profiles` or unset the profile setting"
                ) from None
            _SESSIONS[key] = _guard(made)
        return _SESSIONS[key]


def client(settings: Settings, service: str) -> Any:
    """Return the process's boto3 client for ``service`` (e.g. ``"logs"``) under ``settings``.

    Examples
    --------
    >>> from opsbook.settings import resolve
    >>> client(resolve(backend="aws"), "athena").meta.service_model.service_name
    'athena'
    """
    key = _key(settings)
    with _LOCK:
        if (*key, service) not in _CLIENTS:
            _CLIENTS[(*key, service)] = _session(key, settings).client(service)
        return _CLIENTS[(*key, service)]


def reset() -> None:
    """Forget every session and client: the next ones read credentials and config afresh.

    Examples
    --------
    >>> reset()
    """
    with _LOCK:
        _SESSIONS.clear()
        _CLIENTS.clear()


def is_read_only(operation: str) -> bool:
    """Return whether the API operation ``operation`` (e.g. ``DescribeAlarms``) only reads.

    Examples
    --------
    >>> is_read_only("PutRetentionPolicy")
    False
    """
    return operation in READ_QUERY_OPERATIONS or operation.startswith(READ_PREFIXES)


def _refuse(model: Any, **_: Any) -> None:
    if not _READ_ONLY.is_set() or is_read_only(model.name):
        return
    service = model.service_model.endpoint_prefix
    raise MutatingCallError(
        f"refused {service}:{model.name}: this runbook is read-only and never changes the "
        "account. Make the change yourself through your normal change process, outside the runbook"
    )


def _guard(boto: boto3.Session) -> boto3.Session:
    """Have clients made from ``boto`` from now on ask the guard before each call."""
    # unique_id: registering twice (a notebook cell run again) keeps one handler.
    boto.events.register(_GUARD_EVENT, _refuse, unique_id=_GUARD_ID)
    return boto


def enable_read_only() -> None:
    """Refuse every AWS call that is not a read, from now on (see the module's notes).

    Examples
    --------
    >>> enable_read_only(); read_only_enabled()
    True
    >>> disable_read_only()
    """
    _READ_ONLY.set()
    if boto3.DEFAULT_SESSION is None:
        boto3.setup_default_session()
    _guard(boto3.DEFAULT_SESSION)


def disable_read_only() -> None:
    """Let AWS calls that change the account through again."""
    _READ_ONLY.clear()


def read_only_enabled() -> bool:
    """Return whether the read-only guard is on."""
    return _READ_ONLY.is_set()


@contextlib.contextmanager
def read_only() -> Iterator[None]:
    """Refuse AWS calls that are not reads inside the block, restoring the previous state after.

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
