"""Parameter entries that many functions' docstrings share, written once.

:func:`shared_params` writes into a numpy docstring's Parameters section the entries of
:data:`ENTRIES` for the parameters the function has and the docstring does not describe itself,
each in its parameter's place in the signature; :func:`sharing` does it for another table, e.g. a
package's entries added to these. ``help()``, doctests and rendered docs read
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
from collections.abc import Callable, Mapping
from typing import TypeVar

__all__ = ["ENTRIES", "shared_params", "sharing"]

#: Shared entry (the parameters it documents) -> its description.
ENTRIES = {
    "start, end": "The window (naive times are UTC).",
    "settings": "Backend and data location.",
}

_SECTION = re.compile(r"^( *)Parameters\n\1-+\n", re.MULTILINE)
F = TypeVar("F", bound=Callable)


def sharing(entries: Mapping[str, str]) -> Callable[[F], F]:
    """Return a decorator like :func:`shared_params` that writes the entries of ``entries``.

    Examples
    --------
    >>> @sharing({"seed": "Seed of the random generators."})
    ... def draw(n, seed=7):
    ...     '''Return ``n`` draws.
    ...
    ...     Parameters
    ...     ----------
    ...     n
    ...         How many.
    ...     '''
    >>> [line.strip() for line in draw.__doc__.splitlines()][4:]
    ['n', 'How many.', 'seed', 'Seed of the random generators.', '']

    Raises
    ------
    ValueError
        For a docstring without a Parameters section (when the function's module is imported).
    """

    def decorate(function: F) -> F:
        doc = function.__doc__ or ""
        section = _SECTION.search(doc)
        if section is None:
            raise ValueError(
                f"{function.__qualname__}: no Parameters section for the shared entries"
            )
        indent, start = section.group(1), section.end()
        end = doc.find("\n\n", start) + 1 or len(doc.rstrip(" "))  # the last section: before """
        order = {name: place for place, name in enumerate(inspect.signature(function).parameters)}
        # the described entries: (place of the first parameter, offset of the header, parameters)
        described = [
            (order.get(names[0], len(order)), start + header.start(), names)
            for header in re.finditer(rf"^{indent}(\S.*)$", doc[start:end], re.MULTILINE)
            for names in [header.group(1).split(", ")]
        ]
        done = {name for _, _, names in described for name in names}
        inserts: dict[int, str] = {}
        shared = [(h.split(", "), h, text) for h, text in entries.items()]
        shared = [s for s in shared if set(s[0]) <= set(order) and not done & set(s[0])]
        for params, header, text in sorted(shared, key=lambda s: order[s[0][0]]):
            place = order[params[0]]
            offset = next((at for seen, at, _ in described if seen > place), end)
            inserts[offset] = inserts.get(offset, "") + f"{indent}{header}\n{indent}    {text}\n"
        for offset in sorted(inserts, reverse=True):
            doc = doc[:offset] + inserts[offset] + doc[offset:]
        function.__doc__ = doc
        return function

    return decorate


#: Writes the shared entries of :data:`ENTRIES` for the parameters a function has and its
#: docstring does not describe, each in the place of its parameter in the signature.
shared_params = sharing(ENTRIES)
