"""CloudWatch Logs on the local backend: log events read from export and Firehose files.

:func:`query` runs Logs Insights query text with the offline engine (:mod:`opsbook.insights`)
over the data folder's ``logs/`` or over files and folders given explicitly (any format
:mod:`.logfiles` reads): the time range and the log groups are applied while reading, before
anything else runs. It returns the frame the aws backend returns for the same rows.

Examples
--------
>>> from opsbook.settings import resolve
>>> describe_log_groups(resolve()).columns[0]  # doctest: +SKIP
'log_group'
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path

import duckdb
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from opsbook.backends import layout, s3formats
from opsbook.backends.contract import Logs, contract_functions
from opsbook.backends.frames import log_groups_frame
from opsbook.backends.local import HINT, _s3columns, connect, data_dir, logfiles, s3logs, temp_view
from opsbook.backends.local._reading import Reading
from opsbook.backends.s3formats import is_s3_source
from opsbook.errors import ConfigurationError, NoDataError
from opsbook.insights import Result, reads_other_groups, run_query
from opsbook.settings import Settings

__all__ = contract_functions(Logs)

_NORMALISED = (
    "SELECT CAST(timestamp AS TIMESTAMPTZ) AS timestamp, CAST(message AS VARCHAR) AS message, "
    "CAST(log_stream AS VARCHAR) AS log_stream, CAST(log_group AS VARCHAR) AS log_group, "
    "CAST({ingestion} AS TIMESTAMPTZ) AS ingestion_time, {part} AS part FROM {source}"
)


def describe_log_groups(settings: Settings) -> pd.DataFrame:
    """Return each log group found in the data folder with its format, streams, events and span.

    ``stored_bytes`` counts the UTF-8 bytes of the group's messages (DuckDB's ``strlen`` counts
    bytes; ``length`` would count characters), as AWS counts ``storedBytes`` in bytes.
    """
    reading = Reading.of(settings)
    events = logfiles.read_events(data_dir(settings), reading)
    if events.num_rows == 0:
        raise NoDataError(f"no CloudWatch Logs files under {data_dir(settings) / 'logs'}: {HINT}")
    con = connect()
    con.register("events", events)
    frame = con.sql(
        """
        SELECT log_group, any_value(format) AS format, count(DISTINCT log_stream) AS streams,
               count(*) AS events, sum(strlen(message)) AS stored_bytes, -- UTF-8 bytes
               min(timestamp) AS first_event, max(timestamp) AS last_event
        FROM events GROUP BY log_group ORDER BY log_group
        """
    ).df()
    return reading.mark(log_groups_frame(frame))


def list_log_groups(settings: Settings) -> list[str]:
    """Return the names :func:`describe_log_groups` lists, reading events only where they hide them.

    Export files name their group in their path; Firehose objects are decoded (and cached for
    the queries that follow).
    """
    names = logfiles.list_groups(data_dir(settings), Reading.of(settings))
    if not names:
        raise NoDataError(f"no CloudWatch Logs files under {data_dir(settings) / 'logs'}: {HINT}")
    return names


def list_s3_sources(settings: Settings) -> pd.DataFrame:
    """Return the S3 log archives under ``data_dir/s3`` (:func:`.s3logs.list_sources`)."""
    reading = Reading.of(settings)
    return reading.mark(s3logs.list_sources(data_dir(settings), reading))


def query(
    settings: Settings,
    text: str,
    log_groups: Sequence[str],
    start: dt.datetime,
    end: dt.datetime,
    *,
    limit: int | None = None,
    sources: Sequence[str | Path] | None = None,
    engine: str | None = None,
) -> pd.DataFrame:
    """Run Logs Insights ``text`` over the selected log groups in ``[start, end]``.

    ``log_groups`` holds names, or prefixes written with a trailing ``*``; empty means every
    group found; ``s3://<bucket>/<prefix>`` names an S3 log archive (:mod:`.s3logs`).
    ``sources`` are files or folders (default: ``data_dir/logs``). The frame's
    ``attrs`` carry ``results``, ``statistics``, ``notes`` and ``query_ids`` (none: nothing
    ran on AWS).

    Raises
    ------
    NoDataError
        When no log files are found, or a requested log group is not among them.
    ConfigurationError
        For ``engine="athena"``: Athena runs on the aws backend; this one reads the archive.
    """
    if engine is not None:
        raise ConfigurationError(
            f"engine={engine!r} runs on the aws backend only: the local backend reads S3 "
            "archives from data_dir/s3 itself (drop engine=, or set backend='aws')"
        )
    reading = Reading.of(settings)
    found = _run(
        settings, text, log_groups, start, end,
        limit=limit if limit is not None else 2**62, sources=sources, reading=reading,
    )  # fmt: skip
    frame = found.frame()
    frame.attrs["query_ids"] = []
    return reading.mark(frame)


def _run(
    settings: Settings,
    text: str,
    log_groups: Sequence[str],
    start: dt.datetime,
    end: dt.datetime,
    *,
    limit: int,
    sources: Sequence[str | Path] | None,
    reading: Reading,
) -> Result:
    """Run Logs Insights ``text`` over the selected log groups in ``[start, end)``.

    ``log_groups`` holds names, or prefixes written with a trailing ``*``; empty means every
    group found. ``sources`` are files or folders (default: ``data_dir/logs``).

    Raises
    ------
    NoDataError
        When no log files are found, or a requested log group is not among them.
    """
    archives = [g for g in log_groups if is_s3_source(g)]
    log_groups = [g for g in log_groups if not is_s3_source(g)]
    read_s3 = [
        s3logs.read_source(data_dir(settings), a, start, end, reading, columns=True)
        for a in archives
    ]
    for archive, read in zip(archives, read_s3, strict=True):
        if not read.exists:
            raise NoDataError(
                f"no S3 log objects under {archive} (read from "
                f"{data_dir(settings) / layout.s3_object(archive)}): give the prefix AWS writes "
                "to, e.g. s3://<bucket>/AWSLogs/<account>/elasticloadbalancing/"
            )
    paths = [Path(p) for p in sources] if sources else [data_dir(settings) / layout.LOGS]
    missing = [str(p) for p in paths if not p.exists()]
    if missing and not (archives and not sources and not log_groups):
        raise NoDataError(f"no such log file or folder: {', '.join(missing)}")
    names = {g for g in log_groups if not g.endswith("*")}
    prefixes = tuple(g[:-1] for g in log_groups if g.endswith("*"))

    every_group = reads_other_groups(text)  # SOURCE in the query picks among all groups

    def wanted(group: str) -> bool:
        return every_group or not log_groups or group in names or group.startswith(prefixes)

    if archives and not log_groups and not sources:
        found = logfiles.Sources(logfiles.EVENT_SCHEMA.empty_table())  # S3 archives only
    else:
        found = logfiles.scan_sources(paths, start=start, end=end, groups=wanted, reading=reading)
        if found.files == 0:
            raise NoDataError(
                f"no CloudWatch Logs files under {', '.join(map(str, paths))}: {HINT}"
            )
    con = connect()
    con.register("gzip_events", found.gzip_events)
    parts = []
    if found.gzip_events.num_rows or not (found.parquet or found.json_lines or archives):
        parts.append(_NORMALISED.format(ingestion="NULL", source="gzip_events", part="'memory'"))
    if archives:
        # Their bytes scanned are the objects' stored bytes, as Athena bills an S3 scan.
        s3_events = pa.concat_tables([r.events for r in read_s3])
        if s3_events.num_rows:
            con.register("s3_events", s3_events)
            parts.append(_NORMALISED.format(ingestion="NULL", source="s3_events", part="'s3'"))
        names |= set(archives)
    found.parquet = [p for p in found.parquet if reading.read(p, pq.read_schema) is not None]
    if found.parquet:
        # DuckDB reads pulled Parquet itself: time and group filters reach the row groups.
        pulled = con.read_parquet([str(p) for p in found.parquet], union_by_name=True)
        temp_view(con, "pulled_events", pulled)
        ingestion = "ingestion_time" if "ingestion_time" in pulled.columns else "NULL"
        parts.append(
            _NORMALISED.format(ingestion=ingestion, source="pulled_events", part="'parquet'")
        )
    if found.json_lines:
        con.register("json_events", _json_lines_table(found.json_lines, reading))
        parts.append(
            _NORMALISED.format(ingestion="ingestion_time", source="json_events", part="'memory'")
        )
    fielded = _fielded_events(con, archives, read_s3, start, end, fields=not parts)
    if fielded:  # only load balancer logs: their fields are columns (no @message to parse)
        parts.append(fielded)
    elif not parts:
        parts.append(_NORMALISED.format(ingestion="NULL", source="gzip_events", part="'memory'"))
    con.execute(f"CREATE TEMP VIEW all_events AS {' UNION ALL '.join(parts)}").fetchall()
    if log_groups or found.problems:  # only then are the group names needed (a full scan)
        listed = con.execute("SELECT DISTINCT log_group FROM all_events").fetchall()
        known = sorted(found.groups | {r[0] for r in listed if r[0] is not None})
        _check_groups(log_groups, known, found)
    selection = "true"
    if log_groups or (archives and sources):  # else every event read is of an archive asked for
        # The wanted names and prefixes are data (registered tables), never SQL text.
        con.register("wanted_names", pd.DataFrame({"name": sorted(names)}, dtype="object"))
        con.register("wanted_prefixes", pd.DataFrame({"prefix": list(prefixes)}, dtype="object"))
        selection = (
            "log_group IN (SELECT name FROM wanted_names) OR EXISTS (SELECT 1 FROM "
            "wanted_prefixes WHERE starts_with(all_events.log_group, prefix))"
        )
    con.execute(f"CREATE TEMP VIEW events AS SELECT * FROM all_events WHERE {selection}").fetchall()
    result = run_query(
        text, con, start=start, end=end, limit=limit, statistics=False,
        lookup_tables=Path(settings.data_dir) / layout.LOOKUP_TABLES,  # checked if a query uses it
    )  # fmt: skip
    scanned = _statistics(con, found.parquet, start, end, "all_events" if every_group else "events")
    scanned["bytesScanned"] += float(sum(p.stat().st_size for r in read_s3 for p in r.opened))
    # AWS's order; without a filter every record scanned matched.
    matched = result.statistics.get("recordsMatched", scanned["recordsScanned"])
    result.statistics = {"recordsMatched": matched, **scanned}
    result.notes += [note for read in read_s3 for note in read.notes]
    result.notes += [
        f"skipped unreadable file {s['file']}: {s['problem']}" for s in reading.skipped
    ]
    return result


def _fielded_events(
    con: duckdb.DuckDBPyConnection,
    archives: list[str],
    reads: list[s3logs.S3Read],
    start: dt.datetime,
    end: dt.datetime,
    *,
    fields: bool,
) -> str:
    """Return the SELECT of the load balancer archives' events in range ('' when there are none).

    Each format's objects are read from their Parquet copies (:mod:`._s3columns`); with
    ``fields`` (nothing else is read) the field columns come along for the engine, else only the
    engine's columns (``@message`` then gives every field, as for any other source).
    """
    selects = []
    for archive, read in zip(archives, reads, strict=True):
        for name, copies in read.fielded.items():
            relation = f"s3_fielded_{len(selects)}"
            files = [str(c) for c in copies if isinstance(c, Path)]
            tables = [c for c in copies if not isinstance(c, Path)]
            if tables:
                con.register(f"{relation}_memory", pa.concat_tables(tables))
            if files:
                temp_view(con, f"{relation}_files", con.read_parquet(files))
            both = [
                f"SELECT * FROM {relation}_{p}"
                for p, on in (("files", files), ("memory", tables))
                if on
            ]
            con.execute(f"CREATE TEMP VIEW {relation} AS {' UNION ALL '.join(both)}").fetchall()
            sql = _s3columns.events_sql(relation, s3formats.by_name(name), archive, fields)
            selects.append(
                f"SELECT * FROM ({sql}) WHERE timestamp >= TIMESTAMPTZ '{start.isoformat()}' "
                f"AND timestamp < TIMESTAMPTZ '{end.isoformat()}'"
            )
    return f" UNION ALL {'BY NAME ' if fields else ''}".join(selects)


def _statistics(
    con: duckdb.DuckDBPyConnection,
    parquet: list[Path],
    start: dt.datetime,
    end: dt.datetime,
    view: str = "events",
) -> dict[str, float]:
    """Return records scanned (exact) and bytes scanned in ``view`` (``all_events`` for SOURCE).

    Bytes are exact for files read into memory; for Parquet they are estimated as the events in
    range times the average uncompressed message size in the files' metadata, which spares a
    second full read of the message column. S3 archives' bytes are added by the caller.
    """
    rows = con.execute(
        f"SELECT part, count(*) FROM {view} WHERE timestamp >= $1 AND timestamp < $2 GROUP BY part",
        [start, end],
    ).fetchall()
    records = float(sum(n for _, n in rows))
    size = 0.0
    if any(part == "memory" for part, _ in rows):  # only these messages are measured
        (measured,) = con.execute(
            f"SELECT sum(strlen(message)) FROM {view} "
            "WHERE part = 'memory' AND timestamp >= $1 AND timestamp < $2",
            [start, end],
        ).fetchall()[0]
        size = float(measured or 0)
    in_parquet = sum(n for part, n in rows if part == "parquet")
    if in_parquet:
        files = [str(p) for p in parquet]
        (message_bytes,) = con.execute(
            "SELECT sum(total_uncompressed_size) FROM parquet_metadata($1) "
            "WHERE path_in_schema = 'message'",
            [files],
        ).fetchall()[0]
        (total,) = con.execute(
            "SELECT sum(num_rows) FROM parquet_file_metadata($1)", [files]
        ).fetchall()[0]
        size += float(message_bytes or 0) / max(float(total or 1), 1.0) * in_parquet
    return {"recordsScanned": records, "bytesScanned": size}


def _json_lines_table(files: list[Path], reading: Reading) -> pd.DataFrame:
    """Read ``filter-log-events`` events (JSON lines, or one ``{"events": [...]}`` document)."""
    import json

    rows: list[dict] = []

    def read(path: Path) -> None:
        found = []
        text = path.read_text(encoding="utf-8")
        stripped = text.lstrip()
        if stripped.startswith("{") and '"events"' in stripped[:200] and "\n{" not in stripped:
            events = json.loads(text).get("events", [])
        else:
            events = [json.loads(line) for line in text.splitlines() if line.strip()]
        for event in events:
            found.append(
                {
                    "timestamp": pd.Timestamp(int(event["timestamp"]), unit="ms", tz="UTC"),
                    "message": event["message"],
                    "log_stream": event.get("logStreamName", event.get("logStream")),
                    "log_group": event.get("logGroupName", event.get("logGroup")),
                    "ingestion_time": pd.Timestamp(int(event["ingestionTime"]), unit="ms", tz="UTC")
                    if event.get("ingestionTime") is not None
                    else pd.NaT,
                }
            )
        rows.extend(found)  # all of a file's events, or none of them

    for path in files:
        reading.read(path, read)
    frame = pd.DataFrame(
        rows, columns=["timestamp", "message", "log_stream", "log_group", "ingestion_time"]
    )
    frame["timestamp"] = pd.to_datetime(frame["timestamp"], utc=True)
    frame["ingestion_time"] = pd.to_datetime(frame["ingestion_time"], utc=True)
    frame["log_group"] = frame["log_group"].astype("object").where(frame["log_group"].notna(), None)
    return frame


def _check_groups(requested: Sequence[str], known: list[str], found: logfiles.Sources) -> None:
    for group in requested:
        if group.endswith("*"):
            hit = any(k.startswith(group[:-1]) for k in known)
        else:
            hit = group in known
        if not hit and known:
            raise NoDataError(
                f"log group {group!r} is in none of the log files read; "
                f"groups there: {', '.join(known)}"
            )
    if not known and found.problems:
        raise NoDataError("no log file could be read: " + "; ".join(found.problems[:5]))
