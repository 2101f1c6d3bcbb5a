"""Benchmark: Logs Insights queries on the local engine vs hand-written DuckDB vs a Python loop.

Generates N JSON log events (default 10,000,000) straight into Parquet with DuckDB (the layout
``opsbook logs pull`` writes; no Python objects per event, so memory stays flat), then times
three queries three ways:

1. opsbook: the Logs Insights text through ``opsbook.backends.local.logs.query`` (parse, compile,
   run, GetQueryResults formatting, plus the records/bytes-scanned statistics pass);
2. the same logic hand-written in DuckDB SQL over the same Parquet;
3. a plain Python loop with ``json.loads`` over a slice (``--python-events``, default 1M), scaled
   linearly to N (it is far too slow to run over all events).

Prints medians of ``--repeat`` runs (2 cores, shared machine: medians, not means) and the
ratios. Targets: opsbook within 1.5x of hand-written DuckDB, at least 30x faster than Python.
Both DuckDB variants apply the query's time range (every Logs Insights query has one); opsbook
also makes its statistics pass (records and bytes scanned), which the hand-written SQL skips.

With ``--gzip-scale S`` (e.g. 1), it also writes the sample org's logs at that scale in the two
layouts AWS writes to S3 (export gzip text, Firehose gzip JSON records) and times reading them:
cold (decoding every file) and warm (the per-process cache of decoded files), against a plain
Python reader (gzip + ``fromisoformat`` per line, ``json.loads`` per record).

    python bench/logs_local.py [--events 10000000] [--repeat 3] [--gzip-scale 0] [--gzip-only]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import re
import statistics
import tempfile
import time
from collections import Counter
from pathlib import Path

import duckdb
import pyarrow.parquet as pq
from opsbook.backends.local import logs as local_logs
from opsbook.settings import resolve

T0 = dt.datetime(2026, 11, 1, tzinfo=dt.UTC)
WINDOW = (T0, T0 + dt.timedelta(days=8))

QUERIES = {
    "filter+stats by bin(5m)": (
        "filter status >= 500 | stats count(*) as n by bin(5m)",
        """SELECT time_bucket(INTERVAL 5 minute, CAST(timestamp AS TIMESTAMP), TIMESTAMP '1970-01-01') AS b,
                  count(*) AS n
           FROM read_parquet($path)
           WHERE CAST(json_extract_string(message, '$.status') AS INTEGER) >= 500
             AND timestamp BETWEEN $start AND $end
           GROUP BY b ORDER BY b""",
    ),
    "parse+pct": (
        "parse @message '\"latency_ms\":*,' as lat | stats pct(lat, 95) as p95, count(*) as n by path",
        """SELECT json_extract_string(message, '$.path') AS path,
                  quantile_disc(TRY_CAST(regexp_extract(message, '"latency_ms":(.*?),', 1) AS DOUBLE), 0.95) AS p95,
                  count(*) AS n
           FROM read_parquet($path) WHERE timestamp BETWEEN $start AND $end
           GROUP BY path ORDER BY path""",
    ),
    "filter+sort+limit": (
        'filter level = "ERROR" | fields @timestamp, path, latency_ms | sort latency_ms desc | limit 20',
        """SELECT CAST(timestamp AS TIMESTAMP) AS ts, json_extract_string(message, '$.path') AS path,
                  CAST(json_extract_string(message, '$.latency_ms') AS DOUBLE) AS latency_ms
           FROM read_parquet($path) WHERE json_extract_string(message, '$.level') = 'ERROR'
             AND timestamp BETWEEN $start AND $end
           ORDER BY latency_ms DESC LIMIT 20""",
    ),
}


def generate(path: Path, events: int) -> None:
    """Write ``events`` API-style JSON log events (8 days, 4 streams) to Parquet with DuckDB."""
    con = duckdb.connect()
    con.execute(
        f"""
        COPY (
          SELECT TIMESTAMPTZ '{T0.isoformat()}' + to_milliseconds(CAST(i * (691200000 / $n) AS BIGINT)) AS timestamp,
                 '{{"level":"' || (CASE WHEN hash(i) % 50 = 0 THEN 'ERROR' ELSE 'INFO' END)
                 || '","status":' || (CASE WHEN hash(i) % 50 = 0 THEN 500 + hash(i * 7) % 4 ELSE 200 END)
                 || ',"path":"/' || (['cart', 'checkout', 'orders', 'search'])[CAST(1 + hash(i * 3) % 4 AS BIGINT)]
                 || '","latency_ms":' || round(5 + (hash(i * 11) % 100000) / 100.0, 2)
                 || ',"request_id":"' || md5(CAST(i AS VARCHAR))[:16] || '"}}' AS message,
                 'stream-' || (i % 4) AS log_stream,
                 '/bench/api' AS log_group
          FROM range($n) t(i)
        ) TO '{path}' (FORMAT parquet, ROW_GROUP_SIZE 500000)
        """,
        {"n": events},
    ).fetchall()


def time_it(function, repeat: int) -> tuple[float, object]:
    timings, result = [], None
    for _ in range(repeat):
        began = time.perf_counter()
        result = function()
        timings.append(time.perf_counter() - began)
    return statistics.median(timings), result


def python_loop(path: Path, name: str, limit: int) -> object:
    """The same three queries as a plain loop over json.loads (first ``limit`` events)."""
    counts: Counter = Counter()
    latencies: dict[str, list[float]] = {}
    errors: list[tuple[float, str, object]] = []
    pattern = re.compile(r'"latency_ms":(.*?),')
    seen = 0
    for batch in pq.ParquetFile(path).iter_batches(
        batch_size=100_000, columns=["timestamp", "message"]
    ):
        for stamp, message in zip(
            batch.column(0).to_pylist(), batch.column(1).to_pylist(), strict=True
        ):
            seen += 1
            if seen > limit:
                break
            if name == "parse+pct":
                found = pattern.search(message)
                event = json.loads(message)
                if found:
                    latencies.setdefault(event.get("path"), []).append(float(found.group(1)))
                continue
            event = json.loads(message)
            if name == "filter+stats by bin(5m)":
                if event.get("status", 0) >= 500:
                    epoch = stamp.timestamp()
                    counts[epoch - epoch % 300] += 1
            elif event.get("level") == "ERROR":
                errors.append((event.get("latency_ms"), event.get("path"), stamp))
    if name == "parse+pct":
        return {k: sorted(v)[max(0, -(-95 * len(v) // 100) - 1)] for k, v in latencies.items()}
    if name == "filter+stats by bin(5m)":
        return counts
    return sorted(errors, reverse=True)[:20]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=10_000_000)
    parser.add_argument("--python-events", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--gzip-scale", type=float, default=0.0, help="0: skip the gzip part")
    parser.add_argument("--gzip-only", action="store_true", help="skip the Parquet part")
    args = parser.parse_args()
    if args.gzip_scale:
        gzip_files(args.gzip_scale, args.repeat)
    if args.gzip_only:
        return
    settings = resolve()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "events.parquet"
        began = time.perf_counter()
        generate(path, args.events)
        size = path.stat().st_size / 1e6
        print(
            f"generated {args.events:,} events ({size:.0f} MB Parquet) in {time.perf_counter() - began:.1f} s"
        )
        con = duckdb.connect()
        scale = args.events / args.python_events
        print(
            f"{'query':<26}{'opsbook s':>10}{'duckdb s':>10}{'python s*':>11}{'ops/duck':>10}{'py/ops':>8}"
        )
        for name, (insights, sql) in QUERIES.items():
            ours, result = time_it(
                lambda q=insights: local_logs.query(
                    settings, q, [], *WINDOW, limit=10_000, sources=[path]
                ),
                args.repeat,
            )
            hand, rows = time_it(
                lambda s=sql: con.execute(
                    s, {"path": str(path), "start": WINDOW[0], "end": WINDOW[1]}
                ).fetchall(),
                args.repeat,
            )
            assert len(result) == len(rows), (name, len(result), len(rows))
            slice_time, _ = time_it(lambda n=name: python_loop(path, n, args.python_events), 1)
            loop = slice_time * scale
            print(
                f"{name:<26}{ours:>10.2f}{hand:>10.2f}{loop:>11.1f}{ours / hand:>10.2f}{loop / ours:>8.0f}"
            )
        print(
            f"* python: {args.python_events:,} events timed, scaled x{scale:g}; medians of {args.repeat} runs"
        )


def gzip_files(scale: float, repeat: int) -> None:
    """Time reading the sample org's export and Firehose gzip logs, cold and cached."""
    from opsbook.backends.local import logfiles
    from opsbook.queries import load_insights
    from opsbook.sample.logs import write_logs
    from opsbook.sample.org import timeline

    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        write_logs(root, timeline(dt.date(2026, 11, 15)), scale=scale)
        settings = resolve(backend="local", data_dir=folder)
        window = (
            dt.datetime(2026, 11, 14, 14, tzinfo=dt.UTC),
            dt.datetime(2026, 11, 14, 15, tzinfo=dt.UTC),
        )
        top_errors = load_insights("logs/top_errors").sql
        calls = {
            "every event (describe)": (lambda: local_logs.describe_log_groups(settings), lambda: plain_events(root, None)),
            "log group names": (lambda: local_logs.list_log_groups(settings), lambda: plain_events(root, None)),
            "top errors, 1 h, 1 group": (
                lambda: local_logs.query(settings, top_errors, ["/ecs/checkout-api"], *window, limit=10_000),
                lambda: plain_events(root, window),
            ),
        }  # fmt: skip
        events = logfiles.read_events(root).num_rows
        print(f"sample logs at scale {scale:g}: {events:,} events in gzip files")
        print(f"{'read':<26}{'cold s':>8}{'warm s':>8}{'python s':>10}{'py/cold':>9}{'py/warm':>9}")
        for name, (ours, plain) in calls.items():
            cold = statistics.median(_cold(ours, logfiles.clear_cache) for _ in range(repeat))
            warm, _ = time_it(ours, repeat)
            loop, _ = time_it(plain, 1)
            print(
                f"{name:<26}{cold:>8.2f}{warm:>8.2f}{loop:>10.2f}{loop / cold:>9.1f}{loop / warm:>9.1f}"
            )
        print(
            f"cold: no file decoded yet in the process; warm: decoded files cached; medians of {repeat}"
        )


def _cold(call, clear) -> float:
    clear()
    began = time.perf_counter()
    call()
    return time.perf_counter() - began


def plain_events(root: Path, window: tuple[dt.datetime, dt.datetime] | None) -> int:
    """Read every export line and Firehose record with the standard library (the plain way)."""
    import gzip
    import zlib

    kept = 0
    for path in sorted((root / "logs").rglob("*")):
        if not path.is_file() or path.suffix == ".json":
            continue
        if path.suffix == ".gz":
            with gzip.open(path, "rt", encoding="utf-8") as lines:
                stamps = [
                    dt.datetime.fromisoformat(line.partition(" ")[0])
                    for line in lines
                    if line.strip()
                ]
        else:
            stamps, data = [], path.read_bytes()
            while data:
                inflater = zlib.decompressobj(wbits=31)
                record = json.loads(inflater.decompress(data))
                data = inflater.unused_data
                stamps += [
                    dt.datetime.fromtimestamp(e["timestamp"] / 1000, tz=dt.UTC)
                    for e in record["logEvents"]
                ]
        kept += sum(1 for t in stamps if window is None or window[0] <= t <= window[1])
    return kept


if __name__ == "__main__":
    main()
