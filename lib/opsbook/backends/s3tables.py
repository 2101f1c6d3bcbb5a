"""The Glue tables that let Athena read the S3 log formats, and the events view over each.

Each format of :mod:`opsbook.backends.s3formats` that Athena serves has a ``CREATE EXTERNAL
TABLE`` file in ``opsbook/queries/_athena_tables/<format>.sql`` (ALB, VPC flow logs, CloudFront,
S3 server access logs, WAF, CloudTrail), written as AWS's Athena pages write them, with partition
projection on the date folders AWS writes (no crawler, no ``MSCK REPAIR``). Columns are the
fields as ``s3formats`` names them, made Athena identifiers by :func:`athena_column`. The table
records which format and source it serves in its properties (``opsbook.format``,
``opsbook.source``), which is how the aws backend finds it; :func:`table_ddl` fills a file for
one source, its ``@projection@`` line with ``_athena_tables/_projection.sql`` filled for the
format's date folders (:attr:`AthenaTable.partition`).

:func:`events_sql` is the Trino ``SELECT`` that turns a table into the ``events`` view the Logs
Insights compiler reads (``timestamp``, ``message``, ``log_stream``, ``log_group``,
``ingestion_time``), with ``message`` the record as a JSON object keyed by the ``s3formats``
names, as the local reader makes it, and the projected partition kept to the query's days (the
range widened by the format's delivery delays), so Athena lists and reads only those folders.

Examples
--------
>>> athena_column("client:port"), athena_column("cs(User-Agent)"), athena_column("log-status")
('client_port', 'cs_user_agent', 'log_status')
>>> sorted(TABLES)
['alb', 'cloudfront', 'cloudtrail', 's3access', 'vpcflow', 'waf']
>>> table_name("s3://shop-logs/AWSLogs/123456789012/elasticloadbalancing/us-east-1/", "alb")
'opsbook_alb_86c4856918'
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from dataclasses import dataclass
from importlib import resources

import sqlglot
from sqlglot import exp

from opsbook.backends import s3formats
from opsbook.errors import ConfigurationError

__all__ = [
    "TABLES",
    "AthenaTable",
    "athena_column",
    "events_sql",
    "partition_range",
    "table_ddl",
    "table_name",
]


@dataclass(frozen=True)
class AthenaTable:
    """How one format's Glue table reads back as events.

    ``timestamp`` is the Trino expression of the record's time (as the local reader takes it);
    ``partition`` the projected column and its strftime layout (``None``: no date folders);
    ``json`` the columns holding nested objects as JSON text; ``quoted`` those the SerDe
    returns with their double quotes.
    """

    format: str
    timestamp: str
    partition: tuple[str, str] | None = None
    json: frozenset[str] = frozenset()
    quoted: frozenset[str] = frozenset()


TABLES = {
    t.format: t
    for t in (
        AthenaTable("alb", 'from_iso8601_timestamp("time")', ("day", "%Y/%m/%d")),
        AthenaTable(
            "vpcflow",
            'from_unixtime(CAST("start" AS BIGINT))',
            ("day", "%Y/%m/%d"),
        ),
        AthenaTable("cloudfront", "from_iso8601_timestamp(\"date\" || 'T' || \"time\" || 'Z')"),
        AthenaTable(
            "s3access",
            "parse_datetime(requestdatetime, 'dd/MMM/yyyy:HH:mm:ss Z')",
            quoted=frozenset({"request_uri", "referrer", "useragent"}),
        ),
        AthenaTable(
            "waf",
            'from_unixtime("timestamp" / 1000.0)',
            ("log_time", "%Y/%m/%d/%H/%M"),
            json=frozenset(
                {
                    "terminatingrulematchdetails",
                    "rulegrouplist",
                    "ratebasedrulelist",
                    "nonterminatingmatchingrules",
                    "requestheadersinserted",
                    "httprequest",
                    "labels",
                }
            ),  # fmt: skip
        ),
        AthenaTable(
            "cloudtrail",
            "from_iso8601_timestamp(eventtime)",
            ("day", "%Y/%m/%d"),
            json=frozenset({"useridentity", "requestparameters", "responseelements"}),
        ),
    )
}


def athena_column(field: str) -> str:
    """Return the Athena column of an ``s3formats`` field: lowercase, other runs as ``_``."""
    return re.sub(r"[^a-z0-9]+", "_", field.lower()).strip("_")


def table_name(source: str, format_name: str) -> str:
    """Return the Glue table name opsbook gives ``source``: the format and a hash of the prefix."""
    digest = hashlib.sha256(source.encode()).hexdigest()[:10]
    return f"opsbook_{format_name}_{digest}"


def _spec(format_name: str) -> AthenaTable:
    if format_name not in TABLES:
        raise ConfigurationError(
            f"no Athena table for S3 log format {format_name!r}: opsbook ships tables for "
            f"{', '.join(sorted(TABLES))}; query this format with the local backend"
        )
    return TABLES[format_name]


def table_ddl(
    source: str,
    format_name: str,
    database: str,
    *,
    since: dt.date = dt.date(2020, 1, 1),
    table: str | None = None,
) -> str:
    """Return the ``CREATE EXTERNAL TABLE`` statement for ``source``, ready to run in Athena.

    Examples
    --------
    >>> ddl = table_ddl("s3://shop-logs/AWSLogs/123456789012/vpcflowlogs/us-east-1/", "vpcflow",
    ...                 "logs")
    >>> "'storage.location.template' = 's3://shop-logs/AWSLogs/123456789012/vpcflowlogs/us-east-1/${day}'" in ddl
    True
    """
    spec = _spec(format_name)
    bucket, prefix = s3formats.split_s3_source(source)
    if prefix and not prefix.endswith("/"):
        prefix += "/"
    for name, value in (("database", database), ("table", table or "x")):
        if not re.fullmatch(r"[a-z_][a-z0-9_]*", value):
            raise ConfigurationError(
                f"Athena {name} name {value!r}: use lowercase letters, digits and '_'"
            )
    location = f"s3://{bucket}/{prefix}"
    if "'" in location:
        raise ConfigurationError(f"S3 log source {source!r} holds a quote")
    slots = {
        "@projection@": _projection(spec, since),
        "@database@": database,
        "@table@": table or table_name(location, format_name),
        "@location@": location,
        "@source@": location,
        "@since@": since.strftime("%Y/%m/%d"),
    }
    text = _table_file(format_name)
    for slot, value in slots.items():
        text = text.replace(slot, value)
    return text


def _table_file(name: str) -> str:
    return resources.files("opsbook.queries").joinpath(f"_athena_tables/{name}.sql").read_text()


_JAVA_DATES = {"%Y": "yyyy", "%m": "MM", "%d": "dd", "%H": "HH", "%M": "mm"}
_UNITS = {"%d": "DAYS", "%H": "HOURS", "%M": "MINUTES"}


def _projection(spec: AthenaTable, since: dt.date) -> str:
    """Return the table properties that project ``spec``'s date folders from ``since`` on."""
    if spec.partition is None:
        return ""
    column, layout = spec.partition
    lines = _table_file("_projection").splitlines()
    text = "\n".join(line for line in lines if not line.startswith("--")).strip()
    slots = {
        "@column@": column,
        "@layout@": re.sub("%[YmdHM]", lambda m: _JAVA_DATES[m.group()], layout),
        "@since@": since.strftime(layout),
        "@unit@": _UNITS[layout[-2:]],
    }
    for slot, value in slots.items():
        text = text.replace(slot, value)
    return text


def partition_range(
    format_name: str, start: dt.datetime, end: dt.datetime
) -> tuple[str, str, str] | None:
    """Return ``(column, first, last)``: the projected folders that may hold ``[start, end)``.

    The range is widened by the format's delivery delays (:attr:`S3Format.before`/``after``),
    as the local reader widens it; ``None`` for a format without date folders.

    Examples
    --------
    >>> t = dt.datetime(2026, 11, 14, 23, 58, tzinfo=dt.UTC)
    >>> partition_range("alb", t, t + dt.timedelta(minutes=1))
    ('day', '2026/11/14', '2026/11/15')
    """
    spec = _spec(format_name)
    if spec.partition is None:
        return None
    kind = s3formats.by_name(format_name)
    column, layout = spec.partition
    first = (start - kind.after).astimezone(dt.UTC)
    last = (end + kind.before).astimezone(dt.UTC)
    return column, first.strftime(layout), last.strftime(layout)


def events_sql(
    format_name: str,
    table: str,
    source: str,
    start: dt.datetime,
    end: dt.datetime,
    fields: tuple[str, ...] | None = None,
) -> str:
    """Return the Trino ``SELECT`` of the events view over ``table`` (``"db"."name"``).

    Examples
    --------
    >>> t = dt.datetime(2026, 11, 14, 10, tzinfo=dt.UTC)
    >>> sql = events_sql("alb", '"logs"."opsbook_alb"', "s3://b/p/", t, t + dt.timedelta(hours=1))
    >>> print(sql.split(" WHERE ")[-1])
    "day" BETWEEN '2026/11/14' AND '2026/11/14'
    """
    spec = _spec(format_name)
    names = fields or s3formats.by_name(format_name).fields
    keys, values = [], []
    for name in names:
        column = exp.to_identifier(athena_column(name), quoted=True).sql("trino")
        if column.strip('"') in spec.json:
            value = f"TRY(json_parse({column}))"
        elif column.strip('"') in spec.quoted:
            value = f"CAST(regexp_replace({column}, '^\"(.*)\"$', '$1') AS JSON)"
        else:
            value = f"CAST({column} AS JSON)"
        keys.append(exp.Literal.string(name).sql("trino"))
        values.append(value)
    message = (
        f"json_format(CAST(MAP(ARRAY[{', '.join(keys)}], ARRAY[{', '.join(values)}]) AS JSON))"
    )
    where = []
    pruned = partition_range(format_name, start, end)
    if pruned is not None:
        column, first, last = pruned
        where.append(
            f"{exp.to_identifier(column, quoted=True).sql('trino')} BETWEEN "
            f"{exp.Literal.string(first).sql('trino')} AND {exp.Literal.string(last).sql('trino')}"
        )
    sql = (
        f'SELECT {spec.timestamp} AS timestamp, {message} AS message, "$path" AS log_stream, '
        f"{exp.Literal.string(source).sql('trino')} AS log_group, "
        f"CAST(NULL AS TIMESTAMP(3) WITH TIME ZONE) AS ingestion_time FROM {table}"
        + (f" WHERE {' AND '.join(where)}" if where else "")
    )
    sqlglot.parse_one(sql, read="trino")  # what is sent is one SELECT Trino reads
    return sql
