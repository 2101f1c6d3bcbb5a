"""Package attributes imported from their home module when first used.

A package whose heavy parts should not load with it maps each public name to the private module
that defines it; :func:`lazy_attributes` makes the package's ``__getattr__`` from that map.

Examples
--------
>>> getattr_ = lazy_attributes("opsbook", {"errors": ("OpsbookError",)})
>>> getattr_("OpsbookError").__name__
'OpsbookError'
>>> getattr_("nothing")
Traceback (most recent call last):
...
AttributeError: module 'opsbook' has no attribute 'nothing'
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable, Mapping, Sequence
from typing import Any

__all__ = ["lazy_attributes"]


def lazy_attributes(package: str, homes: Mapping[str, Sequence[str]]) -> Callable[[str], Any]:
    """Return a module ``__getattr__`` for ``package``: each name of ``homes`` from its module.

    Parameters
    ----------
    package
        The package's dotted name (its ``__name__``).
    homes
        Module name relative to ``package`` -> the names it defines. A name, once imported, is
        kept in the package's namespace, so later look-ups do not come back here.
    """
    module_of = {name: module for module, names in homes.items() for name in names}

    def __getattr__(name: str) -> Any:
        if name not in module_of:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(f"{package}.{module_of[name]}"), name)
        setattr(sys.modules[package], name, value)
        return value

    return __getattr__
