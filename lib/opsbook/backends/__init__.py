"""Backends: ``local`` (DuckDB over files in AWS's formats) and ``aws`` (boto3 / awswrangler).

Each backend is a package with one module per source (``cur``, ``logs``, ``metrics``, ...), the
modules of both backends offering the same functions with the same columns and types. Sources ask
:func:`select` for theirs; nothing else branches on the backend.

Examples
--------
>>> from opsbook.settings import resolve
>>> select(resolve(backend="local"), "cur").__name__
'opsbook.backends.local.cur'
"""

from __future__ import annotations

import importlib
from types import ModuleType

from opsbook.settings import Settings

__all__ = ["select"]


def select(settings: Settings, source: str) -> ModuleType:
    """Return the module implementing ``source`` (e.g. ``"logs"``) on ``settings.backend``."""
    return importlib.import_module(f"opsbook.backends.{settings.backend}.{source}")
