"""The Logs Insights function library, each function compiled to DuckDB SQL.

Families: numeric, string, datetime (incl. ``bin``), general, IP, JSON, and the ``stats``
aggregations. Each entry is a :class:`Spec` (arity and a builder); the builder gets a
:class:`Call` giving it compiled arguments and the means to bind constants and report errors.
Function names are case-insensitive (``isPresent`` = ``ispresent``).

Examples
--------
>>> sorted(AGGREGATIONS)[:3]
['avg', 'count', 'count_distinct']
"""

from __future__ import annotations

import dataclasses
import ipaddress
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol, TypeVar

from opsbook.insights import ast
from opsbook.insights.datetimes import (
    PatternError,
    Piece,
    Zone,
    c_to_strftime,
    java_to_strftime,
    java_to_strptime,
    read_zone,
)
from opsbook.insights.textformats import split_csv, split_logfmt
from opsbook.insights.values import Value, as_bool, as_json, as_num, as_text, as_ts

__all__ = ["AGGREGATIONS", "FUNCTIONS", "PERIOD_CAPS", "Call", "Spec", "install_udfs"]

#: Largest amount per unit in bin()/datefloor()/dateceil() (documented cap; larger is capped).
PERIOD_CAPS = {"ms": 1000, "s": 60, "m": 60, "h": 24}
_UNIT_SQL = {
    "ms": "millisecond",
    "s": "second",
    "m": "minute",
    "h": "hour",
    "d": "day",
    "w": "week",
    "mo": "month",
    "q": "month",
    "y": "year",
}


class Call(Protocol):
    """What a builder sees of one call site."""

    node: ast.Call

    def value(self, index: int) -> Value:
        """Return argument ``index`` compiled."""

    def values(self) -> list[Value]:
        """Return every argument compiled."""

    def bind(self, constant: object) -> str:
        """Return a placeholder bound to ``constant``."""

    def fail(self, expected: str, node: ast.Expr | None = None) -> Exception:
        """Return a MalformedQueryError at ``node`` (default: the call)."""

    def timestamp(self) -> Value:
        """Return the ``@timestamp`` of the current rows, or fail when there is none."""

    def now_epoch_ms(self) -> int:
        """Return the query's end time in epoch milliseconds (what now() reports)."""

    def start_epoch_ms(self) -> int:
        """Return the query's start time in epoch milliseconds."""


@dataclass(frozen=True)
class Spec:
    """A function: minimum and maximum arguments (``None`` = any) and its SQL builder."""

    low: int
    high: int | None
    build: Callable[[Call], Value]


def interval(call: Call, node: ast.Expr) -> str:
    """Return the DuckDB INTERVAL of a period argument such as ``5m``, applying the caps."""
    if not isinstance(node, ast.Duration):
        raise call.fail("a period such as 5m, 1h or 1d", node)
    amount = min(node.amount, PERIOD_CAPS.get(node.unit, node.amount))
    if amount < 1:
        raise call.fail("a period of at least 1", node)
    if node.unit == "q":
        amount *= 3
    return f"INTERVAL {amount} {_UNIT_SQL[node.unit]}"


def floor_to(call: Call, ts: Value, node: ast.Expr) -> Value:
    """Return ``ts`` floored to the period ``node`` (epoch-aligned, calendar for mo/q/y)."""
    period = interval(call, node)
    # Origin 1970-01-01: epoch-aligned fixed periods, and month/quarter/year calendar starts.
    return Value(f"time_bucket({period}, {as_ts(ts).sql}, TIMESTAMP '1970-01-01')", "ts")


def _ceil_to(call: Call) -> Value:
    ts = as_ts(call.value(0))
    floor = floor_to(call, ts, call.node.args[1]).sql
    period = interval(call, call.node.args[1])
    return Value(f"CASE WHEN {floor} = {ts.sql} THEN {floor} ELSE {floor} + {period} END", "ts")


def _num(sql: str) -> Callable[[Call], Value]:
    return lambda c: Value(sql.format(*[as_num(v).sql for v in c.values()]), "num")


def _text(sql: str) -> Callable[[Call], Value]:
    return lambda c: Value(sql.format(*[as_text(v).sql for v in c.values()]), "str")


def _fold(name: str) -> Callable[[Call], Value]:
    return lambda c: Value(f"{name}({', '.join(as_num(v).sql for v in c.values())})", "num")


def _round(call: Call) -> Value:
    value = as_num(call.value(0)).sql
    if len(call.node.args) == 1:
        return Value(f"round({value})", "num")
    digits = call.node.args[1]
    if not isinstance(digits, ast.Literal) or not isinstance(digits.value, int):
        raise call.fail("a whole number of decimal places", digits)
    return Value(f"round({value}, {int(digits.value)})", "num")


def _trim(side: str) -> Callable[[Call], Value]:
    def build(call: Call) -> Value:
        text = as_text(call.value(0)).sql
        if len(call.node.args) == 1:
            return Value(f"{side}({text})", "str")
        return Value(f"{side}({text}, {as_text(call.value(1)).sql})", "str")

    return build


def _substr(call: Call) -> Value:
    text = as_text(call.value(0)).sql
    start = f"CAST({as_num(call.value(1)).sql} AS BIGINT) + 1"
    if len(call.node.args) == 2:
        return Value(f"substring({text}, {start})", "str")
    length = f"greatest(CAST({as_num(call.value(2)).sql} AS BIGINT), 0)"
    return Value(f"substring({text}, {start}, {length})", "str")


def _strcontains(call: Call) -> Value:
    text, find = as_text(call.value(0)).sql, as_text(call.value(1)).sql
    if len(call.node.args) == 3:
        insensitive = as_bool(call.value(2)).sql
        return Value(
            f"CASE WHEN {insensitive} THEN contains(lower({text}), lower({find})) "
            f"ELSE contains({text}, {find}) END",
            "bool",
        )
    return Value(f"contains({text}, {find})", "bool")


def _regex_arg(call: Call, index: int) -> str:
    node = call.node.args[index]
    if isinstance(node, ast.Regex):
        return call.bind(re2(node.pattern))
    return as_text(call.value(index)).sql


def re2(pattern: str) -> str:
    """Return a Logs Insights regex in RE2 syntax (``(?<name>`` → ``(?P<name>``)."""
    return pattern.replace("(?<", "(?P<").replace("(?P<=", "(?<=").replace("(?P<!", "(?<!")


def _regex_replace(call: Call) -> Value:
    text, repl = as_text(call.value(0)).sql, as_text(call.value(2)).sql
    return Value(f"regexp_replace({text}, {_regex_arg(call, 1)}, {repl}, 'g')", "str")


def _ispresent(call: Call) -> Value:
    return Value(f"({call.value(0).sql} IS NOT NULL)", "bool")


def _isempty(call: Call) -> Value:
    text = as_text(call.value(0)).sql
    return Value(f"coalesce({text} = '', true)", "bool")


def _isblank(call: Call) -> Value:
    text = as_text(call.value(0)).sql
    return Value(f"coalesce(trim({text}, ' \t\n\r\f\v') = '', true)", "bool")


def _coalesce(call: Call) -> Value:
    values = call.values()
    kinds = {v.kind for v in values}
    if len(kinds) == 1:
        return Value(f"coalesce({', '.join(v.sql for v in values)})", values[0].kind)
    return Value(f"coalesce({', '.join(as_text(v).sql for v in values)})", "str")


def _if(call: Call) -> Value:
    cond = as_bool(call.value(0)).sql
    a, b = call.value(1), call.value(2)
    if a.kind != b.kind:
        a, b = as_text(a), as_text(b)
    return Value(f"CASE WHEN {cond} THEN {a.sql} ELSE {b.sql} END", a.kind)


def _case(call: Call) -> Value:
    """``case(c1, v1, c2, v2, ..., [default])``: the value of the first true condition."""
    args = call.values()
    pairs, default = args[: len(args) // 2 * 2], args[-1] if len(args) % 2 else None
    results = [pairs[i + 1] for i in range(0, len(pairs), 2)] + (
        [default] if default is not None else []
    )
    if len({v.kind for v in results}) > 1:
        results = [as_text(v) for v in results]
    whens = " ".join(
        f"WHEN {as_bool(pairs[i]).sql} THEN {results[i // 2].sql}" for i in range(0, len(pairs), 2)
    )
    otherwise = f" ELSE {results[-1].sql}" if default is not None else ""
    return Value(f"CASE {whens}{otherwise} END", results[0].kind)


def _bin(call: Call) -> Value:
    return floor_to(call, call.timestamp(), call.node.args[0])


def _from_millis(call: Call) -> Value:
    return Value(f"make_timestamp(CAST({as_num(call.value(0)).sql} * 1000 AS BIGINT))", "ts")


def _to_millis(call: Call) -> Value:
    return Value(f"CAST(epoch_ms({as_ts(call.value(0)).sql}) AS DOUBLE)", "num")


_T = TypeVar("_T")
_ZULU, _ZULU_OFFSET = r"([0-9])Z(\b|$)", r"\1+00:00\2"


def _literal(call: Call, index: int, what: str) -> str:
    node = call.node.args[index]
    if not isinstance(node, ast.Literal) or not isinstance(node.value, str):
        raise call.fail(f"{what} as a quoted string", node)
    return node.value


def _translate(call: Call, index: int, translate: Callable[[str], _T]) -> _T:
    """Translate the pattern argument ``index``; a bad letter fails under that character."""
    node = call.node.args[index]
    try:
        return translate(_literal(call, index, "a date pattern"))
    except PatternError as error:
        at = node.start + 1 + error.index  # past the opening quote
        raise call.fail(
            error.message, dataclasses.replace(node, start=at) if at < node.end else node
        ) from None


def _zone(call: Call) -> Zone:
    if len(call.node.args) < 3:
        return Zone("utc")
    try:
        return read_zone(_literal(call, 2, "a time zone"))
    except ValueError:
        raise call.fail(
            "a time zone: UTC, an offset such as +05:30, or an IANA name such as Europe/Paris",
            call.node.args[2],
        ) from None


def _parse_date(call: Call) -> Value:
    """``parseDate(text, javaPattern[, tz])``: epoch ms; text that does not match is missing."""
    fmt, reads_offset, zulu = _translate(call, 1, java_to_strptime)
    zone = _zone(call)
    text = as_text(call.value(0)).sql
    if zulu:  # DuckDB's %z does not read "Z"; Java's X does
        text = f"regexp_replace({text}, {call.bind(_ZULU)}, {call.bind(_ZULU_OFFSET)})"
    parsed = f"try_strptime({text}, {call.bind(fmt)})"
    if reads_offset or zone.kind == "utc":
        millis = f"epoch_ms({parsed})"
    elif zone.kind == "fixed":
        millis = f"(epoch_ms({parsed}) - {zone.minutes * 60_000})"
    else:
        millis = f"epoch_ms(timezone({call.bind(zone.name)}, {parsed}))"
    return Value(f"CAST({millis} AS DOUBLE)", "num")


def _offset_text(minutes: str, style: str) -> str:
    """Return SQL rendering ``minutes`` east of UTC as Java offset letters ``style``."""
    sign = f"CASE WHEN {minutes} < 0 THEN '-' ELSE '+' END"
    hours = f"lpad(CAST(abs({minutes}) // 60 AS VARCHAR), 2, '0')"
    mins = f"lpad(CAST(abs({minutes}) % 60 AS VARCHAR), 2, '0')"
    if style.lower() in ("x", "xx", "xxx") and len(style) == 1:
        text = f"{sign} || {hours} || CASE WHEN abs({minutes}) % 60 <> 0 THEN {mins} ELSE '' END"
    elif style.lower() == "xxx":
        text = f"{sign} || {hours} || ':' || {mins}"
    else:
        text = f"{sign} || {hours} || {mins}"
    if style.startswith("X"):
        return f"(CASE WHEN {minutes} = 0 THEN 'Z' ELSE {text} END)"
    return f"({text})"


def _format_pieces(call: Call, pieces: list[Piece]) -> Value:
    ts = as_ts(call.value(0)).sql
    zone = _zone(call)
    if zone.kind == "utc":
        local, minutes = ts, "0"
    elif zone.kind == "fixed":
        local, minutes = f"({ts} + to_minutes({zone.minutes}))", str(zone.minutes)
    else:
        local = f"timezone({call.bind(zone.name)}, CAST({ts} AS TIMESTAMPTZ))"
        minutes = f"CAST((epoch_ms({local}) - epoch_ms({ts})) // 60000 AS BIGINT)"
    parts = []
    for piece in pieces:
        if piece.kind == "fmt":
            parts.append(f"strftime({local}, {call.bind(piece.text)})")
        elif piece.kind == "fraction":
            micros = f"strftime({local}, {call.bind('%f')})"
            parts.append(
                f"substr({micros}, 1, {piece.width})"
                if piece.width <= 6
                else f"rpad({micros}, {piece.width}, '0')"
            )
        elif piece.kind == "offset":
            parts.append(_offset_text(minutes, piece.text))
        elif piece.kind == "zone":
            parts.append(call.bind(zone.name))
        elif piece.kind == "epoch":
            parts.append(f"CAST(floor(epoch_ms({ts}) / 1000) AS BIGINT)::VARCHAR")
        else:  # day_space
            parts.append(f"lpad(strftime({local}, {call.bind('%-d')}), 2, ' ')")
    return Value(f"({' || '.join(parts) or call.bind('')})", "str")


def _format_date(call: Call) -> Value:
    """``formatDate(ts, javaPattern[, tz])``: ``ts`` a timestamp or epoch ms."""
    return _format_pieces(call, _translate(call, 1, java_to_strftime))


def _strftime(call: Call) -> Value:
    """``strftime(ts, cFormat[, tz])``: C ``%`` directives."""
    return _format_pieces(call, _translate(call, 1, c_to_strftime))


def _message_size(call: Call) -> Value:
    return Value("CAST(octet_length(encode(t_msg)) AS DOUBLE)", "num")


def _json_parse(call: Call) -> Value:
    return as_json(call.value(0))


def _json_stringify(call: Call) -> Value:
    value = call.value(0)
    if value.kind == "json":
        return Value(f"CAST({value.sql} AS VARCHAR)", "str")
    return Value(f"CAST(to_json({as_text(value).sql}) AS VARCHAR)", "str")


def _json_array_size(call: Call) -> Value:
    j = as_json(call.value(0)).sql
    return Value(
        f"CAST(CASE WHEN json_type({j}) = 'ARRAY' THEN json_array_length({j}) END AS DOUBLE)", "num"
    )


def _json_array_contains(call: Call) -> Value:
    j = as_json(call.value(0)).sql
    needle = as_text(call.value(1)).sql
    return Value(
        f"CASE WHEN json_type({j}) = 'ARRAY' THEN list_contains("
        f"list_transform(json_extract({j}, '$[*]'), lambda e: ob_json_text(e)), {needle}) END",
        "bool",
    )


def _split(call: Call) -> Value:
    text, sep = as_text(call.value(0)).sql, as_text(call.value(1)).sql
    return Value(f"to_json(string_split({text}, {sep}))", "json")


def _udf(name: str, kind: str = "bool") -> Callable[[Call], Value]:
    def build(call: Call) -> Value:
        return Value(f"{name}({', '.join(as_text(v).sql for v in call.values())})", kind)  # type: ignore[arg-type]

    return build


def _hex_to_dec(call: Call) -> Value:
    text = as_text(call.value(0)).sql
    return Value(
        f"CAST(TRY_CAST('0x' || regexp_replace({text}, '^0[xX]', '') AS BIGINT) AS DOUBLE)", "num"
    )


FUNCTIONS: dict[str, Spec] = {
    # numeric
    "abs": Spec(1, 1, _num("abs({0})")),
    "ceil": Spec(1, 1, _num("ceil({0})")),
    "floor": Spec(1, 1, _num("floor({0})")),
    "greatest": Spec(1, None, _fold("greatest")),
    "least": Spec(1, None, _fold("least")),
    "log": Spec(1, 1, _num("CASE WHEN {0} > 0 THEN ln({0}) END")),
    "sqrt": Spec(1, 1, _num("CASE WHEN {0} >= 0 THEN sqrt({0}) END")),
    "round": Spec(1, 2, _round),
    "tonumber": Spec(1, 1, _num("{0}")),
    "todouble": Spec(1, 1, _num("{0}")),
    "toint": Spec(1, 1, _num("trunc({0})")),
    "tolong": Spec(1, 1, _num("trunc({0})")),
    "haversine": Spec(
        4,
        4,
        _num(
            "12742 * asin(sqrt(pow(sin(radians({2} - {0}) / 2), 2) + cos(radians({0})) * "
            "cos(radians({2})) * pow(sin(radians({3} - {1}) / 2), 2)))"
        ),
    ),
    # string
    "isempty": Spec(1, 1, _isempty),
    "isblank": Spec(1, 1, _isblank),
    "concat": Spec(
        1, None, lambda c: Value(f"concat({', '.join(as_text(v).sql for v in c.values())})", "str")
    ),
    "ltrim": Spec(1, 2, _trim("ltrim")),
    "rtrim": Spec(1, 2, _trim("rtrim")),
    "trim": Spec(1, 2, _trim("trim")),
    "strlen": Spec(
        1, 1, lambda c: Value(f"CAST(length({as_text(c.value(0)).sql}) AS DOUBLE)", "num")
    ),
    "toupper": Spec(1, 1, _text("upper({0})")),
    "tolower": Spec(1, 1, _text("lower({0})")),
    "substr": Spec(2, 3, _substr),
    "replace": Spec(3, 3, _text("replace({0}, {1}, {2})")),
    "strcontains": Spec(2, 3, _strcontains),
    "startswith": Spec(
        2,
        2,
        lambda c: Value(
            f"starts_with({as_text(c.value(0)).sql}, {as_text(c.value(1)).sql})", "bool"
        ),
    ),
    "endswith": Spec(
        2,
        2,
        lambda c: Value(f"ends_with({as_text(c.value(0)).sql}, {as_text(c.value(1)).sql})", "bool"),
    ),
    "regexreplace": Spec(3, 3, _regex_replace),
    "split": Spec(2, 2, _split),
    "urlencode": Spec(1, 1, _text("url_encode({0})")),
    "urldecode": Spec(1, 1, _text("url_decode({0})")),
    "base64encode": Spec(1, 1, _text("to_base64(encode({0}))")),
    "base64decode": Spec(1, 1, _text("TRY(decode(from_base64({0})))")),
    "hextodec": Spec(1, 1, _hex_to_dec),
    "dectohex": Spec(
        1, 1, lambda c: Value(f"lower(hex(CAST({as_num(c.value(0)).sql} AS BIGINT)))", "str")
    ),
    "hextoascii": Spec(1, 1, _text("TRY(decode(unhex({0})))")),
    # datetime
    "bin": Spec(1, 1, _bin),
    "datefloor": Spec(2, 2, lambda c: floor_to(c, c.value(0), c.node.args[1])),
    "dateceil": Spec(2, 2, _ceil_to),
    "frommillis": Spec(1, 1, _from_millis),
    "tomillis": Spec(1, 1, _to_millis),
    "parsedate": Spec(2, 3, _parse_date),
    "formatdate": Spec(2, 3, _format_date),
    "strftime": Spec(2, 3, _strftime),
    "now": Spec(0, 0, lambda c: Value(f"CAST({c.now_epoch_ms() // 1000} AS DOUBLE)", "num")),
    "querystarttime": Spec(0, 0, lambda c: Value(f"CAST({c.start_epoch_ms()} AS DOUBLE)", "num")),
    "queryendtime": Spec(0, 0, lambda c: Value(f"CAST({c.now_epoch_ms()} AS DOUBLE)", "num")),
    "querytimerange": Spec(
        0, 0, lambda c: Value(f"CAST({c.now_epoch_ms() - c.start_epoch_ms()} AS DOUBLE)", "num")
    ),
    # general
    "ispresent": Spec(1, 1, _ispresent),
    "coalesce": Spec(1, None, _coalesce),
    "if": Spec(3, 3, _if),
    "case": Spec(2, None, _case),
    "isnumeric": Spec(
        1,
        1,
        lambda c: Value(
            f"coalesce(ob_to_num({as_text(c.value(0)).sql}) IS NOT NULL, false)", "bool"
        ),
    ),
    "messagesize": Spec(0, 0, _message_size),
    # IP (Python UDFs: only registered work runs when a query calls them)
    "isvalidip": Spec(1, 1, _udf("ob_ip_valid")),
    "isvalidipv4": Spec(1, 1, _udf("ob_ip_valid4")),
    "isvalidipv6": Spec(1, 1, _udf("ob_ip_valid6")),
    "isipinsubnet": Spec(2, 2, _udf("ob_ip_in_subnet")),
    "isipv4insubnet": Spec(2, 2, _udf("ob_ip4_in_subnet")),
    "isipv6insubnet": Spec(2, 2, _udf("ob_ip6_in_subnet")),
    "ipv4tonumber": Spec(1, 1, _udf("ob_ip4_number", "num")),
    "isprivateip": Spec(1, 1, _udf("ob_ip_private")),
    "ispublicip": Spec(1, 1, _udf("ob_ip_public")),
    "isreservedip": Spec(1, 1, _udf("ob_ip_reserved")),
    # JSON
    "jsonparse": Spec(1, 1, _json_parse),
    "jsonstringify": Spec(1, 1, _json_stringify),
    "jsonarraysize": Spec(1, 1, _json_array_size),
    "jsonarraycontains": Spec(2, 2, _json_array_contains),
}

#: Aggregations usable only inside ``stats``: name → (min args, max args).
AGGREGATIONS = {
    "avg": (1, 1),
    "count": (0, 1),
    "count_distinct": (1, 1),
    "max": (1, 1),
    "min": (1, 1),
    "pct": (2, 2),
    "stddev": (1, 1),
    "sum": (1, 1),
    "earliest": (1, 1),
    "latest": (1, 1),
    "sortsfirst": (1, 1),
    "sortslast": (1, 1),
}


def _address(text: str | None) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    if text is None:
        return None
    try:
        return ipaddress.ip_address(text.strip())
    except ValueError:
        return None


def _in_subnet(ip: str | None, cidr: str | None, version: int | None) -> bool | None:
    address = _address(ip)
    if address is None or cidr is None:
        return None if ip is None else False
    if version and address.version != version:
        return False
    try:
        network = ipaddress.ip_network(cidr.strip(), strict=False)
    except ValueError:
        return False
    return address.version == network.version and address in network


def _ip4_number(ip: str | None) -> float | None:
    address = _address(ip)
    return float(int(address)) if address is not None and address.version == 4 else None


def _valid(version: int | None) -> Callable[[str | None], bool | None]:
    def check(ip: str | None) -> bool | None:
        if ip is None:
            return None
        address = _address(ip)
        return address is not None and (version is None or address.version == version)

    return check


def _flag(attribute: str) -> Callable[[str | None], bool | None]:
    def check(ip: str | None) -> bool | None:
        address = _address(ip)
        return None if address is None else bool(getattr(address, attribute))

    return check


def _is_reserved(ip: str | None) -> bool | None:
    address = _address(ip)
    if address is None:
        return None
    return bool(
        address.is_reserved or address.is_loopback or address.is_link_local
        or address.is_multicast or address.is_unspecified
    )  # fmt: skip


_UDFS: dict[str, tuple[Callable, int, str]] = {
    "ob_ip_valid": (_valid(None), 1, "BOOLEAN"),
    "ob_ip_valid4": (_valid(4), 1, "BOOLEAN"),
    "ob_ip_valid6": (_valid(6), 1, "BOOLEAN"),
    "ob_ip_in_subnet": (lambda ip, cidr: _in_subnet(ip, cidr, None), 2, "BOOLEAN"),
    "ob_ip4_in_subnet": (lambda ip, cidr: _in_subnet(ip, cidr, 4), 2, "BOOLEAN"),
    "ob_ip6_in_subnet": (lambda ip, cidr: _in_subnet(ip, cidr, 6), 2, "BOOLEAN"),
    "ob_ip4_number": (_ip4_number, 1, "DOUBLE"),
    "ob_ip_private": (_flag("is_private"), 1, "BOOLEAN"),
    "ob_ip_public": (_flag("is_global"), 1, "BOOLEAN"),
    "ob_ip_reserved": (_is_reserved, 1, "BOOLEAN"),
    "ob_logfmt": (split_logfmt, 1, "VARCHAR"),
    "ob_csv": (split_csv, 1, "VARCHAR[]"),
}


def install_udfs(con: object) -> None:
    """Register the IP and logfmt/CSV functions (Python, row by row) on a DuckDB connection."""
    import duckdb

    assert isinstance(con, duckdb.DuckDBPyConnection)
    for name, (function, arity, result) in _UDFS.items():
        con.create_function(
            name,
            function,
            ["VARCHAR"] * arity,
            result,  # type: ignore[arg-type]
            null_handling="special",
            side_effects=False,
        )
