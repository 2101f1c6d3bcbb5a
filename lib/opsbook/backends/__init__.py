"""Backends: ``local`` (DuckDB over files in AWS's formats) and ``aws`` (boto3 / awswrangler).

Each backend is a package with one module per source (``cur``, ``logs``, ``metrics``, ...), the
modules of both backends offering the same functions with the same columns and types. Sources ask
:func:`select` for theirs; nothing else branches on the backend. A source AWS alone can answer
(:data:`AWS_ONLY`, e.g. Application Signals) is read on the aws backend whatever the setting.

The read-only guard runbooks switch on (:func:`enable_read_only`, :func:`read_only`) is the aws
backend's: the local backend only reads files, so there is nothing else to guard.

Examples
--------
>>> from opsbook.settings import resolve
>>> select(resolve(backend="local"), "cur").__name__
'opsbook.backends.local.cur'
>>> select(resolve(backend="local"), "appsignals").__name__
'opsbook.backends.aws.appsignals'
"""

from __future__ import annotations

import contextlib
import importlib
from collections.abc import Iterator
from types import ModuleType

from opsbook.settings import Settings

__all__ = [
    "AWS_ONLY",
    "disable_read_only",
    "enable_read_only",
    "read_only",
    "read_only_enabled",
    "select",
]

#: Sources only AWS holds: no saved copy exists for the local backend to read.
AWS_ONLY = frozenset({"appsignals"})


def select(settings: Settings, source: str) -> ModuleType:
    """Return the module implementing ``source`` (e.g. ``"logs"``) on ``settings.backend``."""
    backend = "aws" if source in AWS_ONLY else settings.backend
    return importlib.import_module(f"opsbook.backends.{backend}.{source}")


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
