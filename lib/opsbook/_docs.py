"""Parameter entries that many functions' docstrings share, written once.

:func:`shared_params` writes into a numpy docstring's Parameters section the entries of
:data:`ENTRIES` for the parameters the function has and the docstring does not describe itself:
the window (``start, end``) first, ``settings`` last. ``help()``, doctests and rendered docs read
the docstring as if the entries were written in place.

Examples
--------
>>> @shared_params
... def read_things(start, end, *, kind=None, settings=None):
...     '''Return the things of ``[start, end)``.
...
...     Parameters
...     ----------
...     kind
...         Only things of this kind.
...     '''
>>> [line.strip() for line in read_things.__doc__.splitlines()][4:10]  # doctest: +NORMALIZE_WHITESPACE
['start, end', 'The window (naive times are UTC).', 'kind', 'Only things of this kind.',
 'settings', 'Backend and data location.']
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Callable
from typing import TypeVar

__all__ = ["ENTRIES", "shared_params"]

#: Shared entry (the parameters it documents) -> its description. The window goes first in the
#: Parameters section, the others last.
ENTRIES = {
    "start, end": "The window (naive times are UTC).",
    "settings": "Backend and data location.",
}

_SECTION = re.compile(r"^( *)Parameters\n\1-+\n", re.MULTILINE)
F = TypeVar("F", bound=Callable)


def shared_params(function: F) -> F:
    """Write the shared entries of ``function``'s parameters into its docstring; return it.

    Raises
    ------
    ValueError
        For a docstring without a Parameters section (when the function's module is imported).
    """
    doc = function.__doc__ or ""
    section = _SECTION.search(doc)
    if section is None:
        raise ValueError(f"{function.__qualname__}: no Parameters section for the shared entries")
    indent, start = section.group(1), section.end()
    end = doc.find("\n\n", start) + 1 or len(doc.rstrip(" "))  # the last section: before """
    have = set(inspect.signature(function).parameters)
    first, last = [], []
    for names, text in ENTRIES.items():
        described = re.search(rf"^{indent}{re.escape(names)}$", doc[start:end], re.MULTILINE)
        if set(names.split(", ")) <= have and not described:
            (first if names == "start, end" else last).append(
                f"{indent}{names}\n{indent}    {text}\n"
            )
    function.__doc__ = doc[:start] + "".join(first) + doc[start:end] + "".join(last) + doc[end:]
    return function
