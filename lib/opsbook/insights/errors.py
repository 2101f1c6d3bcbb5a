"""Errors of the Logs Insights engine, shaped like AWS's ``MalformedQueryException``.

A syntax error names the line, the column and what was expected, and shows the query line with a
caret under the offending position, so a user can fix the query without guessing.

Examples
--------
>>> error = MalformedQueryError("fields a |", 10, "a command")
>>> print(error)
malformed query at line 1, column 11: expected a command, found the end of the query
  fields a |
            ^
"""

from __future__ import annotations

from opsbook.errors import ConfigurationError, QueryFailedError

__all__ = ["MalformedQueryError", "QueryRuntimeError", "position"]


def position(text: str, offset: int) -> tuple[int, int]:
    """Return the 1-based (line, column) of ``offset`` in ``text``."""
    offset = max(0, min(offset, len(text)))
    line = text.count("\n", 0, offset) + 1
    column = offset - (text.rfind("\n", 0, offset) + 1) + 1
    return line, column


class MalformedQueryError(ConfigurationError):
    """The query text is not valid Logs Insights QL (AWS: MalformedQueryException).

    Attributes
    ----------
    line, column
        1-based position of the problem.
    expected
        What the parser expected there, in words.
    found
        What it found instead (a token's text, or ``the end of the query``).
    """

    def __init__(self, text: str, offset: int, expected: str, found: str | None = None) -> None:
        self.line, self.column = position(text, offset)
        self.offset = offset
        self.expected = expected
        if found is None:
            rest = text[offset:].split(None, 1)
            found = repr(rest[0][:20]) if rest else "the end of the query"
        self.found = found
        source_line = text.split("\n")[self.line - 1].rstrip("\r")
        caret = " " * (self.column - 1) + "^"
        super().__init__(
            f"malformed query at line {self.line}, column {self.column}: "
            f"expected {expected}, found {found}\n  {source_line}\n  {caret}"
        )


class QueryRuntimeError(QueryFailedError):
    """A well-formed query failed while running (e.g. a value that cannot be converted)."""
