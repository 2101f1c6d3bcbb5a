r"""Load balancer logs as columns: one text column per documented field, kept as Parquet.

ALB and NLB access logs have fixed, documented fields, so a file of them decodes into a table
of ``timestamp``, ``message``, ``log_stream`` and one text column per field, named
``field:<name>`` (:data:`opsbook.insights.FIELD_COLUMN`). The Logs Insights engine reads a
field from its column (no JSON to parse), and ``@message`` (the record as a JSON object of its
fields, decision ``s3_message``) is built from the columns only when a query reads it
(:func:`events_sql`): ``message`` holds the JSON only for records the line reader made.

:func:`field_table` decodes the text column-wise (Arrow's CSV parser, then DuckDB for the
time) when every line has the documented shape, else returns ``None`` so the line reader takes
the file and applies the malformed-line policy; :func:`records_table` turns the line reader's
records into the same columns.

Examples
--------
>>> from opsbook.backends import s3formats
>>> line = ('https 2026-11-14T14:03:12.500000Z app/shop/50dc 1.2.3.4:80 - 0.1 0.2 0.3 503 - '
...         '1 2 "GET / HTTP/1.1" "curl" - - - "Root=1" "-" "-" 0 '
...         '2026-11-14T14:03:12.400000Z "forward" "-" "-" "-" "-" "-" "-" TID_1')
>>> table = field_table(line + "\n", s3formats.by_name("alb"))
>>> table["field:elb_status_code"].to_pylist(), str(table["timestamp"][0])
(['503'], '2026-11-14 14:03:12.500000+00:00')
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Sequence
from functools import cache

import duckdb
import numpy as np
import pyarrow as pa

from opsbook.backends.s3formats import S3Format
from opsbook.insights import FIELD_COLUMN

__all__ = ["column_names", "events_sql", "field_table", "message_sql", "records_table"]

_SPACES = np.frombuffer(b" \t\n\f\r", np.uint8)  # RE2's \s
_MOMENT = pa.timestamp("ms", tz="UTC")  # the events' time, as every other log source keeps it


def column_names(kind: S3Format) -> list[str]:
    """Return the field columns of ``kind``, in the documented order.

    Examples
    --------
    >>> from opsbook.backends import s3formats
    >>> column_names(s3formats.by_name("alb"))[:2]
    ['field:type', 'field:time']
    """
    return [FIELD_COLUMN + name for name in kind.fields]


def schema(kind: S3Format) -> pa.Schema:
    """Return the schema of a decoded file of ``kind``."""
    columns = [("timestamp", _MOMENT), ("message", pa.string()), ("log_stream", pa.string())]
    return pa.schema(columns + [(name, pa.string()) for name in column_names(kind)])


@cache
def _connection() -> duckdb.DuckDBPyConnection:
    """One in-memory DuckDB for the column-wise decoder (a connection per file costs more)."""
    return duckdb.connect()


def field_table(text: str | bytes, kind: S3Format, lines: int | None = None) -> pa.Table | None:
    """Decode a load balancer log whose every line has exactly the documented fields.

    Returns the records' ``timestamp`` and field columns (``message`` null, ``log_stream``
    empty: the caller names it), or ``None`` when any line differs from that shape (fewer or
    more fields, a quote the CSV parser reads otherwise, a time that does not parse).
    ``lines``: the count of non-blank lines, when known. Text given as bytes is UTF-8 (text that
    is not is handed back, ``None``, for the line reader to name).
    """
    import pyarrow.csv as pv

    data = text.encode() if isinstance(text, str) else text
    if _inner_quote(data):
        return None
    names = column_names(kind)
    lines = _line_count(data) if lines is None else lines
    try:
        table = pv.read_csv(
            io.BytesIO(data),
            read_options=pv.ReadOptions(column_names=names, use_threads=len(text) > 2**22),
            parse_options=pv.ParseOptions(
                delimiter=" ", quote_char='"', escape_char="\\", double_quote=False,
                ignore_empty_lines=True,
            ),
            convert_options=pv.ConvertOptions(
                column_types={n: pa.string() for n in names},
                strings_can_be_null=False, quoted_strings_can_be_null=False,
            ),
        )  # fmt: skip
    except (pa.ArrowInvalid, UnicodeError):
        return None
    if table.num_rows != lines:
        return None
    con = _connection().cursor()  # a cursor per call: threads may decode at once
    con.execute("SET TimeZone = 'UTC'")
    con.register("records", table.select([FIELD_COLUMN + "time"]))
    try:
        moments = con.sql(
            f'SELECT TRY_CAST("{FIELD_COLUMN}time" AS TIMESTAMPTZ) AS t FROM records'
        ).to_arrow_table()["t"]
    except duckdb.Error:
        return None
    if moments.null_count:
        return None
    rows = table.num_rows
    head = [
        moments.cast(_MOMENT, safe=False),
        pa.nulls(rows, pa.string()),
        pa.repeat(pa.scalar("", pa.string()), rows),
    ]
    return pa.Table.from_arrays(head + table.columns, schema=schema(kind))


def records_table(
    stamps: Sequence[dt.datetime], records: Sequence[dict], messages: Sequence[str], kind: S3Format
) -> pa.Table:
    """Return the line reader's records as :func:`field_table`'s columns, ``message`` kept.

    A field a record lacks (a line shorter than today's format) is null, as a JSON path to a
    missing key is.
    """
    head = [pa.array(stamps, _MOMENT), pa.array(messages, pa.string()),
            pa.repeat(pa.scalar("", pa.string()), len(stamps))]  # fmt: skip
    columns = [pa.array([r.get(name) for r in records], pa.string()) for name in kind.fields]
    return pa.Table.from_arrays(head + columns, schema=schema(kind))


def message_sql(kind: S3Format) -> str:
    """Return the SQL of ``@message`` over a decoded table: the kept JSON, else built.

    The object's keys are the fields in order, as the line reader's ``json.dumps`` writes them.
    """
    pairs = ", ".join(
        "'" + name.replace("'", "''") + "': " + _quoted(column)
        for name, column in zip(kind.fields, column_names(kind), strict=True)
    )
    return f"coalesce(message, CAST(to_json({{{pairs}}}) AS VARCHAR))"


def events_sql(relation: str, kind: S3Format, source: str, fields: bool) -> str:
    """Return a SELECT of ``relation``'s records as log events of ``source``.

    The columns are the engine's (``timestamp``, ``message``, ``log_stream``, ``log_group``,
    ``ingestion_time``) and ``part`` (``'s3'``); with ``fields``, the field columns follow.
    ``message`` is an expression: DuckDB computes it only for a query that reads it.
    """
    group = "'" + source.replace("'", "''") + "'"
    columns = [
        "CAST(timestamp AS TIMESTAMPTZ) AS timestamp",
        f"{message_sql(kind)} AS message",
        "log_stream",
        f"CAST({group} AS VARCHAR) AS log_group",
        "CAST(NULL AS TIMESTAMPTZ) AS ingestion_time",
        "'s3' AS part",
    ]
    if fields:
        columns += [_quoted(c) for c in column_names(kind)]
    return f"SELECT {', '.join(columns)} FROM {relation}"


def _quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _inner_quote(data: bytes) -> bool:
    r"""Whether a double quote stands inside a token (not opening, closing or escaped).

    That is, a byte other than a blank or ``\`` before it and one other than a blank or a
    quote after it (the RE2 ``[^\s\\]"[^\s"]``), tested on every quote at once.

    Examples
    --------
    >>> _inner_quote(b'a "b c" d'), _inner_quote(b'a "b"c" d'), _inner_quote(b'"x\\"y"')
    (False, True, False)
    """
    text = np.frombuffer(data, np.uint8)
    quotes = np.flatnonzero(text == ord('"'))
    quotes = quotes[(quotes > 0) & (quotes < len(text) - 1)]
    before, after = text[quotes - 1], text[quotes + 1]
    plain_before = ~np.isin(before, _SPACES) & (before != ord("\\"))
    plain_after = ~np.isin(after, _SPACES) & (after != ord('"'))
    return bool((plain_before & plain_after).any())


def _line_count(data: bytes) -> int:
    """Return the lines that hold anything (what a reader sees as records)."""
    if b"\n\n" in data or data.startswith(b"\n") or b"\r" in data or data.isspace():
        text = data.decode("utf-8", errors="replace")
        return sum(1 for line in text.splitlines() if line.strip())
    # No empty line: blank-only lines are not records either, but no plain-shaped file has
    # one (the column-wise reader refuses it), so every newline ends one record.
    return data.count(b"\n") + (0 if data.endswith(b"\n") or not data else 1)
