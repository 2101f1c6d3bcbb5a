"""Split a logfmt or CSV line into values: the row functions behind ``parse ... logfmt|csv``.

DuckDB has no logfmt reader and no CSV reader for a single string, so these run as Python
scalar functions (registered by :func:`opsbook.insights.functions.install_udfs`), called once per
event the ``parse`` reaches. The choices where the formats are loose are recorded in
:mod:`opsbook.insights.semantics` (``parse_logfmt`` and ``parse_csv``).

Examples
--------
>>> split_logfmt('level=info msg="a b" debug')
'{"level": "info", "msg": "a b", "debug": "true"}'
>>> split_csv('a,"b, c",,"x ""y"" z"')
['a', 'b, c', '', 'x "y" z']
"""

from __future__ import annotations

import csv
import io
import json

__all__ = ["split_csv", "split_logfmt"]

_LOGFMT_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", '"': '"', "\\": "\\"}


def split_logfmt(text: str | None) -> str | None:
    """Return the ``key=value`` pairs of a logfmt line as a JSON object of strings.

    Values may be bare (up to the next blank) or double-quoted with backslash escapes; a key
    without ``=`` is ``"true"``; a repeated key keeps its last value. Text without any key gives
    ``None`` (the event is kept without the field).

    Examples
    --------
    >>> split_logfmt('a=1 b="x y" a=2')
    '{"a": "2", "b": "x y"}'
    >>> split_logfmt("") is None
    True
    """
    if text is None:
        return None
    pairs: dict[str, str] = {}
    i, n = 0, len(text)
    while i < n:
        while i < n and text[i].isspace():
            i += 1
        start = i
        while i < n and not text[i].isspace() and text[i] != "=":
            i += 1
        key = text[start:i]
        if i < n and text[i] == "=":
            i += 1
            value, i = _logfmt_value(text, i)
        else:
            value = "true"
        if key:
            pairs[key] = value
        elif i < n and not text[i].isspace():
            i += 1  # a stray character (e.g. "=v" without a key): skip it
    return json.dumps(pairs) if pairs else None


def _logfmt_value(text: str, i: int) -> tuple[str, int]:
    """Read the value starting at ``i``; return it and the offset after it."""
    n = len(text)
    if i < n and text[i] == '"':
        out: list[str] = []
        i += 1
        while i < n and text[i] != '"':
            if text[i] == "\\" and i + 1 < n:
                out.append(_LOGFMT_ESCAPES.get(text[i + 1], text[i + 1]))
                i += 2
                continue
            out.append(text[i])
            i += 1
        return "".join(out), i + 1  # an unclosed quote takes the rest of the line
    start = i
    while i < n and not text[i].isspace():
        i += 1
    return text[start:i], i


def split_csv(text: str | None) -> list[str] | None:
    """Return the comma-separated values of an event's first record (RFC 4180 quoting).

    Examples
    --------
    >>> split_csv("x,y")
    ['x', 'y']
    >>> split_csv("") is None
    True
    """
    if not text:
        return None
    # The first record: a quoted value may span lines; an unquoted line break ends the record.
    try:
        record = next(csv.reader(io.StringIO(text, newline=""), delimiter=",", quotechar='"'), None)
    except csv.Error:  # e.g. a NUL byte: not CSV, so no fields
        return None
    return record or None
