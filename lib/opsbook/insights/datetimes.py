r"""``parseDate``, ``formatDate`` and ``strftime``: date patterns translated to DuckDB at compile time.

Logs Insights takes Java ``DateTimeFormatter`` patterns (``yyyy-MM-dd'T'HH:mm:ss.SSSXXX``) for
``parseDate``/``formatDate`` and C ``%`` directives for ``strftime``. Both are translated here,
once per query, into DuckDB ``strptime``/``strftime`` formats plus a few pieces DuckDB cannot
format itself (offsets, fractions shorter than 6 digits, epoch seconds, zone names), so no
per-row Python runs. A letter outside the supported set is a :class:`PatternError` naming its
index, which the compiler turns into a MalformedQueryError under that character.

Time zones (the optional third argument) are ``UTC``, a fixed offset (``+05:30``, ``-0800``,
``UTC+2``) or an IANA name (``Europe/Paris``); see ``DECISIONS["date_patterns"]``.

Examples
--------
>>> java_to_strptime("yyyy-MM-dd'T'HH:mm:ss.SSSXXX")
('%Y-%m-%dT%H:%M:%S.%f%z', True, True)
>>> [p.text for p in java_to_strftime("dd/MMM/yyyy")]
['%d/%b/%Y']
>>> read_zone("+05:30")
Zone(kind='fixed', minutes=330, name='+05:30')
"""

from __future__ import annotations

import re
import zoneinfo
from dataclasses import dataclass

__all__ = [
    "Piece",
    "PatternError",
    "Zone",
    "c_to_strftime",
    "java_to_strftime",
    "java_to_strptime",
    "read_zone",
]


class PatternError(ValueError):
    """A date pattern the engine cannot translate: ``index`` is the offending character."""

    def __init__(self, index: int, message: str) -> None:
        super().__init__(message)
        self.index = index
        self.message = message


@dataclass(frozen=True)
class Piece:
    """One part of a formatted date: a DuckDB strftime format, or a computed part.

    ``kind`` is ``fmt`` (``text`` is a DuckDB format), ``fraction`` (``width`` digits of the
    second's fraction), ``offset`` (``text`` is the Java offset letters, e.g. ``XXX``),
    ``zone`` (the zone's name), ``epoch`` (epoch seconds) or ``day_space`` (day, space-padded).
    """

    kind: str
    text: str = ""
    width: int = 0


@dataclass(frozen=True)
class Zone:
    """A time zone argument: ``utc``, ``fixed`` (``minutes`` east of UTC) or ``iana``."""

    kind: str
    minutes: int = 0
    name: str = "UTC"


_OFFSET = re.compile(r"^(?:UTC|GMT)?([+-])(\d{1,2})(?::?(\d{2}))?$", re.IGNORECASE)


def read_zone(text: str) -> Zone:
    """Return the zone named by ``text``; raise ValueError for anything else.

    Examples
    --------
    >>> read_zone("Europe/Paris").kind, read_zone("Z").kind
    ('iana', 'utc')
    """
    stripped = text.strip()
    if stripped.upper() in ("UTC", "GMT", "Z", "ETC/UTC"):
        return Zone("utc")
    match = _OFFSET.match(stripped)
    if match:
        sign, hours, minutes = match.groups()
        total = int(hours) * 60 + int(minutes or 0)
        if total > 18 * 60:
            raise ValueError(f"offset {text!r} is beyond ±18:00")
        total = -total if sign == "-" else total
        return Zone("fixed", total, f"{sign}{int(hours):02d}:{int(minutes or 0):02d}")
    if "/" in stripped and stripped in zoneinfo.available_timezones():
        return Zone("iana", 0, stripped)
    raise ValueError(f"unknown time zone {text!r}")


def _java_tokens(pattern: str) -> list[tuple[str, str, int]]:
    """Split a Java pattern into (letter run | literal text, kind, index) tokens."""
    tokens: list[tuple[str, str, int]] = []
    i = 0
    while i < len(pattern):
        char = pattern[i]
        if char == "'":
            end = i + 1
            text = ""
            while True:
                if end >= len(pattern):
                    raise PatternError(i, "a closing ' for the quoted text")
                if pattern[end] == "'":
                    if end + 1 < len(pattern) and pattern[end + 1] == "'":
                        text += "'"
                        end += 2
                        continue
                    break
                text += pattern[end]
                end += 1
            tokens.append((text if end > i + 1 else "'", "literal", i))
            i = end + 1
        elif char.isascii() and char.isalpha() and char != "T":
            end = i
            while end < len(pattern) and pattern[end] == char:
                end += 1
            tokens.append((pattern[i:end], "letters", i))
            i = end
        else:
            tokens.append((char, "literal", i))
            i += 1
    return tokens


_SUPPORTED = (
    "y yy yyyy M MM MMM MMMM d dd H HH h hh a m mm s ss S..SSSSSSSSS E EEE EEEE Z X XX XXX x xxx z"
)


def _unsupported(run: str, index: int) -> PatternError:
    return PatternError(
        index, f"a supported date pattern letter (not {run!r}; supported: {_SUPPORTED})"
    )


def java_to_strptime(pattern: str) -> tuple[str, bool, bool]:
    """Return the DuckDB ``strptime`` format of a Java pattern, and two flags.

    The flags: whether the pattern reads an offset, and whether that offset may be written
    ``Z`` (pattern letter ``X``).

    Examples
    --------
    >>> java_to_strptime("dd/MMM/yyyy:HH:mm:ss Z")
    ('%d/%b/%Y:%H:%M:%S %z', True, False)
    """
    out, has_offset, zulu = [], False, False
    for text, kind, index in _java_tokens(pattern):
        if kind == "literal":
            out.append(text.replace("%", "%%"))
            continue
        letter, count = text[0], len(text)
        if letter in "yu":
            out.append("%y" if count == 2 else "%Y")
        elif letter == "M" and count <= 4:
            out.append({1: "%m", 2: "%m", 3: "%b", 4: "%B"}[count])
        elif letter in "dHhms" and count <= 2:
            out.append({"d": "%d", "H": "%H", "h": "%I", "m": "%M", "s": "%S"}[letter])
        elif letter == "a" and count == 1:
            out.append("%p")
        elif letter == "S" and count <= 9:
            out.append("%f" if count <= 6 else "%n")
        elif letter == "E" and count <= 4:
            out.append("%A" if count == 4 else "%a")
        elif (letter in "ZXx" and count <= 3) or (letter == "z" and count <= 4):
            out.append("%Z" if letter == "z" else "%z")
            has_offset, zulu = True, zulu or letter == "X"
        else:
            raise _unsupported(text, index)
    return "".join(out), has_offset, zulu


def _merge(pieces: list[Piece]) -> list[Piece]:
    merged: list[Piece] = []
    for piece in pieces:
        if piece.kind == "fmt" and merged and merged[-1].kind == "fmt":
            merged[-1] = Piece("fmt", merged[-1].text + piece.text)
        elif piece.kind != "fmt" or piece.text:
            merged.append(piece)
    return merged


def java_to_strftime(pattern: str) -> list[Piece]:
    """Return the pieces that format a timestamp with a Java pattern.

    Examples
    --------
    >>> [(p.kind, p.text or p.width) for p in java_to_strftime("HH:mm:ss.SS XXX")]
    [('fmt', '%H:%M:%S.'), ('fraction', 2), ('fmt', ' '), ('offset', 'XXX')]
    """
    pieces = []
    for text, kind, index in _java_tokens(pattern):
        if kind == "literal":
            pieces.append(Piece("fmt", text.replace("%", "%%")))
            continue
        letter, count = text[0], len(text)
        if letter in "yu":
            pieces.append(Piece("fmt", "%y" if count == 2 else "%Y"))
        elif letter == "M" and count <= 4:
            pieces.append(Piece("fmt", {1: "%-m", 2: "%m", 3: "%b", 4: "%B"}[count]))
        elif letter in "dHhms" and count <= 2:
            code = {"d": "d", "H": "H", "h": "I", "m": "M", "s": "S"}[letter]
            pieces.append(Piece("fmt", f"%{code}" if count == 2 else f"%-{code}"))
        elif letter == "a" and count == 1:
            pieces.append(Piece("fmt", "%p"))
        elif letter == "S" and count <= 9:
            pieces.append(Piece("fraction", width=count))
        elif letter == "E" and count <= 4:
            pieces.append(Piece("fmt", "%A" if count == 4 else "%a"))
        elif letter in "ZXx" and count <= 3:
            pieces.append(Piece("offset", text))
        elif letter == "z" and count <= 4:
            pieces.append(Piece("zone"))
        else:
            raise _unsupported(text, index)
    return _merge(pieces)


#: C directives DuckDB's strftime renders as C does (``-`` = no padding, a glibc extension).
_C_NATIVE = set("aAbBdHIjmMpSUwWyY") | {"-d", "-m", "-H", "-I", "-M", "-S", "-j", "-y"}
_C_EXPANDED = {
    "F": "%Y-%m-%d",
    "T": "%H:%M:%S",
    "D": "%m/%d/%y",
    "R": "%H:%M",
    "h": "%b",
    "x": "%m/%d/%y",
    "X": "%H:%M:%S",
    "n": "\n",
    "t": "\t",
    "%": "%%",
}


def c_to_strftime(fmt: str) -> list[Piece]:
    """Return the pieces that format a timestamp with C ``strftime`` directives.

    Supported: ``%a %A %b %B %c %d %D %e %F %H %I %j %m %M %p %R %s %S %T %U %w %W %x %X
    %y %Y %z %Z %%`` (C locale), ``%f`` (microseconds, as Python) and ``%-d``-style unpadded
    numbers.

    Examples
    --------
    >>> [(p.kind, p.text) for p in c_to_strftime("%F %T %z")]
    [('fmt', '%Y-%m-%d %H:%M:%S '), ('offset', 'Z')]
    """
    pieces: list[Piece] = []
    i = 0
    while i < len(fmt):
        char = fmt[i]
        if char != "%":
            pieces.append(Piece("fmt", char))
            i += 1
            continue
        code = fmt[i + 1 : i + 3] if fmt[i + 1 : i + 2] == "-" else fmt[i + 1 : i + 2]
        if code in _C_NATIVE or code == "f":
            pieces.append(Piece("fmt", f"%{code}"))
        elif code in _C_EXPANDED:
            pieces.append(Piece("fmt", _C_EXPANDED[code]))
        elif code == "c":  # C locale: "Thu Jan  1 00:00:00 1970"
            pieces += [Piece("fmt", "%a %b "), Piece("day_space"), Piece("fmt", " %H:%M:%S %Y")]
        elif code == "e":
            pieces.append(Piece("day_space"))
        elif code == "s":
            pieces.append(Piece("epoch"))
        elif code == "z":
            pieces.append(Piece("offset", "Z"))
        elif code == "Z":
            pieces.append(Piece("zone"))
        else:
            shown = "%" + (code or "")
            raise PatternError(
                i, f"a supported strftime directive (not {shown!r}; use e.g. %Y-%m-%d %H:%M:%S)"
            )
        i += 1 + len(code)
    return _merge(pieces)
