"""Parse patterns as regexes: a glob's ``*`` captures, and named groups' indexes.

Examples
--------
>>> group_indexes("(?<a>x)(y)(?P<b>z)")
{'a': 1, 'b': 3}
"""

from __future__ import annotations

import re

__all__ = ["glob_to_regex", "group_indexes"]


def glob_to_regex(pattern: str) -> str:
    r"""Return the RE2 search pattern of a parse glob: ``*`` lazy, a trailing ``*`` greedy.

    Examples
    --------
    >>> glob_to_regex("[*] *: *")
    '(?s)\\[(.*?)\\] (.*?): (.*)'
    """
    parts = pattern.split("*")
    out = []
    for i, part in enumerate(parts):
        out.append(re.sub(r"([\\.+*?()|\[\]{}^$])", r"\\\1", part))
        if i < len(parts) - 1:
            last = i == len(parts) - 2 and parts[-1] == ""
            out.append("(.*)" if last else "(.*?)")
    return "(?s)" + "".join(out)


def group_indexes(pattern: str) -> dict[str, int]:
    """Return the capture-group index of each named group in a regex (RE2 / PCRE syntax)."""
    indexes: dict[str, int] = {}
    count, i, in_class = 0, 0, False
    while i < len(pattern):
        char = pattern[i]
        if char == "\\":
            i += 2
            continue
        if in_class:
            in_class = char != "]"
        elif char == "[":
            in_class = True
        elif char == "(":
            rest = pattern[i + 1 :]
            named = re.match(r"\?P?<([A-Za-z_@][A-Za-z0-9_@.]*)>", rest)
            if named:
                count += 1
                indexes.setdefault(named.group(1), count)
            elif not rest.startswith("?"):
                count += 1
        i += 1
    return indexes
