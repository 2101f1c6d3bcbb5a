"""Backends: ``local`` (DuckDB over files in AWS's formats) and ``aws`` (boto3 / awswrangler).

Sources ask :func:`select` for the backend the settings name; nothing else branches on it. Both
backends answer the same questions with the same columns and types.

Examples
--------
>>> from opsbook.settings import resolve
>>> select(resolve(backend="local")).__name__
'opsbook.backends.local'
"""

from __future__ import annotations

import importlib
from types import ModuleType

from opsbook.settings import Settings

__all__ = ["select"]


def select(settings: Settings) -> ModuleType:
    """Return the backend module for ``settings.backend``."""
    return importlib.import_module(f"opsbook.backends.{settings.backend}")
