"""Backends: ``local`` (DuckDB over files in AWS's formats) and ``aws`` (boto3 / awswrangler).

Each backend is a package with one module per source (``cur``, ``logs``, ``metrics``, ...); the
modules of both offer the functions of one declared contract (:mod:`.contract`, a Protocol per
source) and return the same columns and types (:mod:`.frames`). Sources ask :func:`backend` for
theirs, ``backend(settings).logs``, typed by the Protocol; this is the one place that knows which
backend runs, and nothing else branches on it. What only AWS serves (:data:`AWS_ONLY`: Application
Signals, notifications, pulls) is read on the aws backend whatever the setting.

The read-only guard runbooks switch on (:func:`enable_read_only`, :func:`read_only`) is the aws
backend's: the local backend only reads files, so there is nothing else to guard.

Examples
--------
>>> from opsbook.settings import resolve
>>> backend(resolve(backend="local")).cur.__name__
'opsbook.backends.local.cur'
>>> backend(resolve(backend="local")).appsignals.__name__
'opsbook.backends.aws.appsignals'
"""

from __future__ import annotations

import contextlib
import functools
import importlib
from collections.abc import Iterator
from types import ModuleType
from typing import Any

from opsbook.backends.contract import (
    AWS_ONLY,
    CONTRACT,
    LIVE,
    Alarms,
    AppSignals,
    Billing,
    Canaries,
    Changes,
    Cur,
    Doctor,
    Health,
    Inventory,
    Logs,
    Metrics,
    Notify,
    Pull,
    Traces,
)
from opsbook.settings import Settings

__all__ = [
    "AWS_ONLY",
    "CONTRACT",
    "Backend",
    "backend",
    "disable_read_only",
    "enable_read_only",
    "read_only",
    "read_only_enabled",
]


class Backend:
    """One backend's sources, each the module that implements its Protocol (imported when used).

    Examples
    --------
    >>> Backend("local").health.read_health_events.__module__
    'opsbook.backends.local.health'
    >>> Backend("local").nothing  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    AttributeError: no source 'nothing' in the backend contract (alarms, appsignals, ...)
    """

    cur: Cur
    logs: Logs
    metrics: Metrics
    alarms: Alarms
    changes: Changes
    health: Health
    inventory: Inventory
    billing: Billing
    doctor: Doctor
    appsignals: AppSignals
    notify: Notify
    pull: Pull
    traces: Traces
    canaries: Canaries

    def __init__(self, name: str) -> None:
        self.name = name

    @property
    def live(self) -> bool:
        """Whether this backend reads the live account (see :data:`.contract.LIVE`).

        Examples
        --------
        >>> Backend("aws").live, Backend("local").live
        (True, False)
        """
        return self.name in LIVE

    def __getattr__(self, source: str) -> Any:
        if source not in CONTRACT:
            raise AttributeError(
                f"no source {source!r} in the backend contract ({', '.join(sorted(CONTRACT))})"
            )
        home = "aws" if source in AWS_ONLY else self.name
        return importlib.import_module(f"opsbook.backends.{home}.{source}")

    def __repr__(self) -> str:
        return f"Backend({self.name!r})"


@functools.cache
def _backend(name: str) -> Backend:
    return Backend(name)


def backend(settings: Settings) -> Backend:
    """Return the backend ``settings`` choose, its sources typed by the contract's Protocols.

    Examples
    --------
    >>> from opsbook.settings import resolve
    >>> backend(resolve(backend="aws"))
    Backend('aws')
    """
    return _backend(settings.backend)


def _aws() -> ModuleType:
    # Imported when the guard is first used: boto3 costs a local-only session nothing before.
    return importlib.import_module("opsbook.backends.aws")


def enable_read_only() -> None:
    """Refuse every AWS call that could change the account, from now on, in this process.

    A refused call raises :class:`opsbook.errors.MutatingCallError` before any request is sent.

    Examples
    --------
    >>> enable_read_only(); read_only_enabled()
    True
    >>> disable_read_only()
    """
    _aws().enable_read_only()


def disable_read_only() -> None:
    """Let AWS calls that change the account through again."""
    _aws().disable_read_only()


def read_only_enabled() -> bool:
    """Return whether the read-only guard is on."""
    return bool(_aws().read_only_enabled())


@contextlib.contextmanager
def read_only() -> Iterator[None]:
    """Refuse AWS calls that could change the account inside the block (as a runbook does)."""
    with _aws().read_only():
        yield
