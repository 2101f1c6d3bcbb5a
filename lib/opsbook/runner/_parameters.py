"""Parameters written ``name=value`` on a command line: ``opsbook report run -p``, ``%%athena --param``.

Values are typed as papermill's command line types them: ``true``/``false`` are booleans,
``none``/``null`` is ``None``, whole numbers and decimals are numbers, anything else is text.
Quotes keep a value text (``account='012345678901'``), so an id with a leading zero stays whole.

Examples
--------
>>> parse_parameter("month=2026-09"), parse_parameter("limit=10")
(('month', '2026-09'), ('limit', 10))
"""

from __future__ import annotations

import re
from typing import Any

from opsbook.errors import ConfigurationError

__all__ = ["parse_parameter"]

_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_INTEGER = re.compile(r"[+-]?\d+")
_DECIMAL = re.compile(r"[+-]?(?:\d+\.\d*|\.\d+|\d+(?=[eE]))(?:[eE][+-]?\d+)?")
_CONSTANTS = {"true": True, "false": False, "none": None, "null": None}


def parse_parameter(text: str, option: str = "-p") -> tuple[str, Any]:
    """Return ``(name, value)`` from ``name=value``, the value typed; ``option`` names the flag.

    Raises
    ------
    opsbook.errors.ConfigurationError
        When ``text`` is not ``name=value`` with a Python identifier as the name, quoting it.

    Examples
    --------
    >>> parse_parameter("ok=true"), parse_parameter("id='0042'"), parse_parameter("x=1.5")
    (('ok', True), ('id', '0042'), ('x', 1.5))
    >>> parse_parameter("2026-09", "--param")
    Traceback (most recent call last):
    ...
    opsbook.errors.ConfigurationError: --param '2026-09' is not name=value: write e.g. --param month=2026-09
    """
    name, equals, value = text.partition("=")
    if not equals or not _NAME.fullmatch(name):
        raise ConfigurationError(
            f"{option} {text!r} is not name=value: write e.g. {option} month=2026-09"
        )
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
        return name, value[1:-1]
    if value.lower() in _CONSTANTS:
        return name, _CONSTANTS[value.lower()]
    if _INTEGER.fullmatch(value):
        return name, int(value)
    if _DECIMAL.fullmatch(value):
        return name, float(value)
    return name, value
