"""boto3 sessions and clients for the aws backend: one retry policy, one cache.

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
  and service (clients are thread-safe). botocore refreshes expiring credentials itself;
  :func:`reset` forgets every session, which :func:`~opsbook.backends.aws.aws_errors` does when
  credentials are expired or missing, so a rerun after ``aws sso login`` picks up the new ones;
- the sessions share one botocore data loader (per ``AWS_DATA_PATH``): the service models,
  endpoints and partitions (JSON files of botocore, about 0.1 s a client to read) are read once
  per process, not once per session, so a second region or profile, or the sessions after a
  :func:`reset`, make their clients without reading them again;
- the read-only guard (:mod:`._guard`) is installed with the first session: it judges every
  botocore call of the process, whoever made the client, and notes the queries opsbook starts.

Examples
--------
>>> from opsbook.settings import resolve
>>> logs = client(resolve(backend="aws", region="eu-west-1"), "logs")
>>> logs.meta.region_name, logs is client(resolve(backend="aws", region="eu-west-1"), "logs")
('eu-west-1', True)
"""

from __future__ import annotations

import os
import threading
from typing import Any

import boto3
import botocore.loaders
import botocore.session

from opsbook.backends.aws._guard import install
from opsbook.errors import ConfigurationError
from opsbook.settings import Settings

__all__ = ["MAX_ATTEMPTS", "RETRY_MODE", "client", "reset", "session"]

#: botocore retry mode unless the environment or the AWS config file names one.
RETRY_MODE = "adaptive"
#: Attempts per call, the first included, unless the environment or the AWS config file say.
MAX_ATTEMPTS = 8

_LOCK = threading.RLock()
_SESSIONS: dict[tuple[Any, ...], boto3.Session] = {}
_CLIENTS: dict[tuple[Any, ...], Any] = {}
# One botocore data loader per data path, with the search paths it was made with: kept by reset().
_LOADERS: dict[str | None, tuple[botocore.loaders.Loader, list[str]]] = {}


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
    install()
    with _LOCK:
        if key not in _SESSIONS:
            core = botocore.session.Session(session_vars=_session_vars())
            core.lazy_register_component("data_loader", lambda: _loader(core))
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
            _SESSIONS[key] = made
        return _SESSIONS[key]


def _loader(core: botocore.session.Session) -> botocore.loaders.Loader:
    """Return the process's data loader for the session's data path (botocore's own, shared)."""
    path = core.get_config_variable("data_path")
    with _LOCK:
        if path not in _LOADERS:
            made = botocore.loaders.create_loader(path)
            _LOADERS[path] = made, list(made.search_paths)
        loader, paths = _LOADERS[path]
        loader.search_paths[:] = paths  # boto3.Session appends its own folder, once a session
        return loader


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
