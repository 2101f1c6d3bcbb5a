r"""Discovered fields, extracted from ``@message`` only when a query references them.

- System fields: ``@timestamp``, ``@message``, ``@logStream``, ``@log``, ``@ingestionTime``.
- JSON messages (text starting with ``{``): nested keys flattened with dots, array elements by
  index (``items.0.id``); a JSON key that itself starts with ``@`` is addressed as ``@@key``.
  A key may hold dots itself, as OpenTelemetry's do (``{"resource": {"attributes":
  {"service.name": ...}}}``): flattened, it is ``resource.attributes.service.name``, as
  CloudWatch names it, so a dotted name is looked up nested first, then with its segments
  joined into dotted keys (:func:`json_paths`).
- Lambda platform lines: ``@type``, ``@requestId`` (also from runtime lines
  ``LEVEL\\t<time>\\t<request id>\\t...``), and from REPORT lines ``@duration``,
  ``@billedDuration``, ``@initDuration`` (ms), ``@memorySize``, ``@maxMemoryUsed`` (bytes),
  ``@xrayTraceId``, ``@xraySegmentId``.
- VPC flow logs (default version 2 format) and Route 53 query logs: positional fields.

A field name is looked up in that order: JSON first, then the flow-log and Route 53 layouts.
A source whose ``events`` view has a column ``field:<name>`` (:data:`FIELD_COLUMN`) gives that
field from the column: the same text a JSON message of its fields would give, without the parse.

Examples
--------
>>> json_path("items.0.id")
'$."items"[0]."id"'
>>> json_paths("attributes.http.status")
['$."attributes"."http"."status"', '$."attributes.http"."status"', '$."attributes"."http.status"', '$."attributes.http.status"']
>>> discovered("@duration").kind
'num'
"""

from __future__ import annotations

from itertools import combinations, islice

from opsbook.insights.semantics import LAMBDA_MEMORY_BYTES_PER_MB
from opsbook.insights.values import Value

__all__ = [
    "FIELD_COLUMN",
    "LAMBDA_FIELDS",
    "ROUTE53_FIELDS",
    "SYSTEM_FIELDS",
    "VPC_FIELDS",
    "discovered",
    "json_path",
    "json_paths",
]

#: At most this many JSON paths are tried for one dotted name (fewest dotted keys first).
MAX_JSON_PATHS = 32

MESSAGE = "t_msg"
#: Prefix of an ``events`` column holding a discovered field as text (``field:elb_status_code``):
#: a structured source (S3 load balancer logs) gives its fields so, and the engine reads the
#: column instead of extracting the field from ``@message``.
FIELD_COLUMN = "field:"
#: System fields and the engine's internal column for each.
SYSTEM_FIELDS = {
    "@timestamp": Value("CAST(t_ts AS TIMESTAMP)", "ts"),
    "@message": Value("t_msg", "str"),
    "@logStream": Value("t_stream", "str"),
    "@log": Value("t_group", "str"),
    "@ingestionTime": Value("CAST(t_ingest AS TIMESTAMP)", "ts"),
}
VPC_FIELDS = (
    "version accountId interfaceId srcAddr dstAddr srcPort dstPort protocol packets bytes "
    "startTime endTime action logStatus"
).split()
ROUTE53_FIELDS = (
    "version queryTimestamp hostZoneId queryName queryType responseCode protocol edgeLocation "
    "resolverIp ednsClientSubnet"
).split()
_VPC = (
    r"^([0-9]+) ([0-9]+|unknown) (eni-[0-9a-f]+|-) (\S+) (\S+) (\S+) (\S+) (\S+) (\S+) (\S+) "
    r"([0-9]+) ([0-9]+) (ACCEPT|REJECT|-) (OK|NODATA|SKIPDATA)$"
)
_ROUTE53 = (
    r"^([0-9]+\.[0-9]+) ([0-9]{4}-[0-9]{2}-[0-9]{2}T\S+) (\S+) (\S+) (\S+) (\S+) (TCP|UDP) (\S+) "
    r"(\S+) (\S+)$"
)
_MB = LAMBDA_MEMORY_BYTES_PER_MB
_REPORT_NUMBERS = {
    "@duration": (r"RequestId: \S+\s+Duration: ([0-9.]+) ms", 1),
    "@billedDuration": (r"Billed Duration: ([0-9.]+) ms", 1),
    "@initDuration": (r"Init Duration: ([0-9.]+) ms", 1),
    "@memorySize": (r"Memory Size: ([0-9]+) MB", _MB),
    "@maxMemoryUsed": (r"Max Memory Used: ([0-9]+) MB", _MB),
}
_REPORT_TEXTS = {
    "@xrayTraceId": r"XRAY TraceId: ([^\s]+)",
    "@xraySegmentId": r"SegmentId: ([^\s]+)",
}
LAMBDA_FIELDS = ("@type", "@requestId", *_REPORT_NUMBERS, *_REPORT_TEXTS)


def json_path(name: str) -> str:
    """Return the DuckDB JSON path of a flattened field name (``a.b.0`` → ``$."a"."b"[0]``)."""
    return _path(_segments(name))


def json_paths(name: str) -> list[str]:
    """Return the JSON paths a flattened field name may stand for, the nested one first.

    Each dot is either a step into an object or part of a key: every way of joining adjacent
    segments into one dotted key is a candidate, those with the fewest dotted keys first (at
    most :data:`MAX_JSON_PATHS`).
    """
    segments = _segments(name)
    joints = range(len(segments) - 1)  # joint i sits between segments i and i + 1
    chosen = (set(c) for n in range(len(joints) + 1) for c in combinations(joints, n))
    paths = []
    for joined in islice(chosen, MAX_JSON_PATHS):
        keys = [segments[0]]
        for joint, segment in enumerate(segments[1:]):
            if joint in joined:
                keys[-1] = f"{keys[-1]}.{segment}"
            else:
                keys.append(segment)
        paths.append(_path(keys))
    return paths


def _segments(name: str) -> list[str]:
    return (name[1:] if name.startswith("@@") else name).split(".")


def _path(keys: list[str]) -> str:
    parts = []
    for key in keys:
        if key.isdigit() and parts:
            parts.append(f"[{int(key)}]")
        else:
            parts.append('."' + key.replace("\\", "\\\\").replace('"', '\\"') + '"')
    return "$" + "".join(parts)


def _regex_group(pattern: str, group: int, guard: str | None = None) -> str:
    quoted = pattern.replace("'", "''")
    sql = f"nullif(regexp_extract({MESSAGE}, '{quoted}', {group}), '')"
    return f"CASE WHEN starts_with({MESSAGE}, '{guard}') THEN {sql} END" if guard else sql


def discovered(name: str, json_slot: str | None = None) -> Value:
    """Return the SQL extracting discovered field ``name`` from the message column.

    ``json_slot`` is the SQL of the already-extracted JSON value for this name (the engine
    extracts all referenced JSON paths of an event with one parse); without it the path is
    extracted on its own.
    """
    if name == "@type":
        return Value(_regex_group(r"^(START|END|REPORT) RequestId: ", 1), "str")
    if name == "@requestId":
        platform = _regex_group(r"^(?:START|END|REPORT) RequestId: ([0-9A-Za-z-]+)", 1)
        runtime = _regex_group(r"^\[?[A-Z]+\]?\t[^\t]+\t([0-9a-f]{8}-[0-9a-f-]{27})\t", 1)
        return Value(f"coalesce({platform}, {runtime})", "str")
    if name in _REPORT_NUMBERS:
        pattern, scale = _REPORT_NUMBERS[name]
        text = _regex_group(pattern, 1, guard="REPORT ")
        return Value(f"(TRY_CAST({text} AS DOUBLE) * {scale})", "num")
    if name in _REPORT_TEXTS:
        return Value(_regex_group(_REPORT_TEXTS[name], 1, guard="REPORT "), "str")
    if name.startswith("@") and not name.startswith("@@"):
        return Value("CAST(NULL AS VARCHAR)", "str")  # unknown @-field: never present
    candidates = [json_slot or _json_text(name)]
    for layout, names in ((_VPC, VPC_FIELDS), (_ROUTE53, ROUTE53_FIELDS)):
        if name in names:
            # Positional: DuckDB's regexp_extract stops at group 9, so split the matched line.
            candidates.append(
                f"CASE WHEN regexp_matches({MESSAGE}, '{layout}') "
                f"THEN string_split({MESSAGE}, ' ')[{names.index(name) + 1}] END"
            )
    sql = candidates[0] if len(candidates) == 1 else f"coalesce({', '.join(candidates)})"
    return Value(sql, "str")


def is_json_field(name: str) -> bool:
    """Return whether ``name`` is looked up in JSON messages (not an ``@`` platform field)."""
    return not (name.startswith("@") and not name.startswith("@@"))


def json_values(paths: list[str]) -> str:
    """Return SQL extracting ``paths`` from JSON messages in one parse, as a VARCHAR list."""
    listed = ", ".join("'" + p.replace("'", "''") + "'" for p in paths)
    return (
        f"CASE WHEN starts_with({MESSAGE}, '{{') "
        f"THEN TRY(json_extract_string({MESSAGE}, [{listed}])) END"
    )


def _json_text(name: str) -> str:
    """Return SQL of the text at the first of the name's JSON paths that holds a value."""
    found = [f"TRY(json_extract_string({MESSAGE}, '{p.replace(chr(39), chr(39) * 2)}'))"
             for p in json_paths(name)]  # fmt: skip
    text = found[0] if len(found) == 1 else f"coalesce({', '.join(found)})"
    return f"CASE WHEN starts_with({MESSAGE}, '{{') THEN {text} END"
