"""Benchmark: Logs Insights over ALB access logs in S3 layout, opsbook vs hand-written DuckDB.

Generates ``--lines`` ALB access log entries (default 1 million; the issue's size is
``--lines 10000000``) over one day, written as AWS writes them: gzip objects per load balancer
node and 5 minutes under ``AWSLogs/<account>/elasticloadbalancing/<region>/yyyy/mm/dd/``, in a
temporary folder (``--keep DIR`` reuses one). Then three queries run two ways, median of
``--runs``:

* ``opsbook``: ``opsbook.logs.query`` on the local backend over the ``s3://`` source (objects
  chosen by their key's time, records decoded, the Logs Insights query compiled to DuckDB);
* ``duckdb``: the same question hand-written for DuckDB's ``read_csv`` over the same objects
  (the day's folder; blank-separated, double-quoted fields).

For each query it also prints the Trino SQL ``engine="athena"`` would send and the bytes Athena
would scan: the stored size of every object in the projected partitions the statement keeps
(Athena reads gzip text whole, and its projection is by day, so a one-hour query scans its day).

Usage: ``python bench/logs_s3.py [--lines 1000000] [--runs 3] [--keep DIR]``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gzip
import statistics
import tempfile
import time
from pathlib import Path

import duckdb
import numpy as np
from opsbook import logs
from opsbook.backends import s3formats, s3tables
from opsbook.backends.aws.logs_athena import archive_sql
from opsbook.settings import resolve

ACCOUNT, REGION, BUCKET = "123456789012", "us-east-1", "bench-logs"
DAY = dt.datetime(2026, 11, 14, tzinfo=dt.UTC)
NODES = ("10.0.1.17", "10.0.2.23", "10.0.3.41")
SOURCE = f"s3://{BUCKET}/AWSLogs/{ACCOUNT}/elasticloadbalancing/{REGION}/"
HOUR = (DAY + dt.timedelta(hours=14), DAY + dt.timedelta(hours=15))

#: (name, Logs Insights query, window, hand-written DuckDB SQL over ``alb``)
QUERIES = (
    (
        "5xx per 5 minutes, one day",
        "filter elb_status_code >= 500 | stats count(*) as errors by bin(5m) as t",
        (DAY, DAY + dt.timedelta(days=1)),
        "SELECT time_bucket(INTERVAL 5 MINUTE, ts) AS t, count(*) AS errors FROM alb "
        "WHERE elb_status_code >= 500 GROUP BY 1 ORDER BY 1",
    ),
    (
        "p99 target time by target, one day",
        "stats pct(target_processing_time, 99) as p99, count(*) as n by `target:port`",
        (DAY, DAY + dt.timedelta(days=1)),
        "SELECT target_port, quantile_disc(target_processing_time, 0.99) AS p99, count(*) AS n "
        "FROM alb GROUP BY 1",
    ),
    (
        "top 10 clients of 5xx, one hour",
        "filter elb_status_code >= 500 | stats count(*) as n by `client:port` | sort n desc "
        "| limit 10",
        HOUR,
        "SELECT client_port, count(*) AS n FROM alb WHERE elb_status_code >= 500 "
        "GROUP BY 1 ORDER BY 2 DESC LIMIT 10",
    ),
)

_COLUMNS = {
    s3tables.athena_column(f): ("DOUBLE" if f.endswith("_time") and "creation" not in f else
                                "INTEGER" if f == "elb_status_code" else "VARCHAR")
    for f in s3formats.ALB_FIELDS
}  # fmt: skip


def generate(root: Path, lines: int, seed: int = 7) -> int:
    """Write ``lines`` ALB entries over :data:`DAY` in AWS's layout; return the bytes stored."""
    rng = np.random.default_rng(seed)
    folder = (
        root / "s3" / BUCKET / f"AWSLogs/{ACCOUNT}/elasticloadbalancing/{REGION}/{DAY:%Y/%m/%d}"
    )
    folder.mkdir(parents=True, exist_ok=True)
    offsets = np.sort(rng.integers(0, 86_400_000_000, lines))  # microseconds into the day
    status = rng.choice([200, 201, 404, 500, 502, 503], lines, p=[0.8, 0.1, 0.05, 0.02, 0.02, 0.01])
    latency = rng.gamma(2.0, 0.02, lines)
    target = rng.integers(1, 40, lines)
    client = rng.integers(1, 5000, lines)
    node = rng.integers(0, len(NODES), lines)
    interval = offsets // 300_000_000
    stored = 0
    for (five, n), chunk in _groups(interval, node):
        end = DAY + dt.timedelta(minutes=5 * (int(five) + 1))
        out = []
        for i in chunk.tolist():
            at = DAY + dt.timedelta(microseconds=int(offsets[i]))
            st = int(status[i])
            out.append(
                f"https {at:%Y-%m-%dT%H:%M:%S.%f}Z app/shop-public/50dc6c495c0c9188 "
                f"198.51.{client[i] // 250}.{client[i] % 250}:{40000 + i % 20000} "
                f"10.0.{target[i] // 20}.{target[i] % 20 + 10}:8080 0.000 {latency[i]:.3f} 0.000 "
                f'{st} {st} 210 {36 if st >= 500 else 520} "GET https://shop.example.com:443/cart '
                f'HTTP/1.1" "Mozilla/5.0" ECDHE-RSA-AES128-GCM-SHA256 TLSv1.2 '
                f"arn:aws:elasticloadbalancing:{REGION}:{ACCOUNT}:targetgroup/checkout/73e2d6bc "
                f'"Root=1-{int(at.timestamp()):08x}-{i:024x}" "shop.example.com" "-" 1 '
                f'{at:%Y-%m-%dT%H:%M:%S.%f}Z "forward" "-" "-" "10.0.0.1:8080" "{st}" "-" "-" '
                f"TID_{i:032x}"
            )
        key = (
            f"{ACCOUNT}_elasticloadbalancing_{REGION}_app.shop-public.50dc6c495c0c9188_"
            f"{end:%Y%m%dT%H%MZ}_{NODES[n]}_{int(five):08x}.log.gz"
        )
        data = gzip.compress(("\n".join(out) + "\n").encode(), compresslevel=1, mtime=0)
        (folder / key).write_bytes(data)
        stored += len(data)
    return stored


def _groups(interval: np.ndarray, node: np.ndarray):  # noqa: ANN202
    key = interval * len(NODES) + node
    order = np.argsort(key, kind="stable")
    edges = np.flatnonzero(np.diff(key[order])) + 1
    for chunk in np.split(order, edges):
        yield (interval[chunk[0]], int(node[chunk[0]])), chunk


def hand_written(con: duckdb.DuckDBPyConnection, root: Path, sql: str, window: tuple) -> list:
    """Run ``sql`` over a view ``alb`` of the day's objects, kept to ``window``."""
    files = sorted(str(p) for p in (root / "s3" / BUCKET).rglob(f"{DAY:%Y/%m/%d}/*.log.gz"))
    columns = ", ".join(f"'{name}': '{kind}'" for name, kind in _COLUMNS.items())
    view = (
        f"SELECT *, CAST(time AS TIMESTAMPTZ) AS ts FROM read_csv($files, delim = ' ', "
        f"quote = '\"', escape = '\"', header = false, columns = {{{columns}}}, "
        "null_padding = true) "
        "WHERE CAST(time AS TIMESTAMPTZ) >= $start AND CAST(time AS TIMESTAMPTZ) < $end"
    )
    params = {"files": files, "start": window[0], "end": window[1]}
    return con.execute(f"WITH alb AS ({view}) {sql}", params).fetchall()


def timed(function, runs: int) -> tuple[float, object]:  # noqa: ANN001
    times, result = [], None
    for _ in range(runs):
        started = time.perf_counter()
        result = function()
        times.append(time.perf_counter() - started)
    return statistics.median(times), result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--keep", type=Path, default=None, help="generate into / reuse DIR")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        root = args.keep or Path(scratch)
        marker = root / f".lines-{args.lines}"
        started = time.perf_counter()
        if not marker.exists():
            stored = generate(root, args.lines)
            marker.write_text(str(stored))
        stored = int(marker.read_text())
        print(f"{args.lines:,} ALB lines, {stored / 2**20:,.0f} MiB gzip "
              f"(ready in {time.perf_counter() - started:.0f} s)")  # fmt: skip
        settings = resolve(backend="local", data_dir=str(root))
        for name, text, window, sql in QUERIES:
            ours, frame = timed(
                lambda t=text, w=window: logs.query(t, [SOURCE], *w, settings=settings),
                args.runs,
            )
            theirs, rows = timed(
                lambda s=sql, w=window: hand_written(duckdb.connect(), root, s, w), args.runs
            )
            assert len(frame) == len(rows), (name, len(frame), len(rows))
            trino, _ = archive_sql(text, "alb", '"logs"."opsbook_alb"', SOURCE, *window)
            column, first, last = s3tables.partition_range("alb", *window)
            scanned = sum(
                p.stat().st_size
                for p in (root / "s3" / BUCKET).rglob("*.log.gz")
                if first <= "/".join(p.parent.parts[-3:]) <= last
            )
            print(f"\n== {name}: opsbook {ours:.2f} s, hand-written DuckDB {theirs:.2f} s, "
                  f"ratio {ours / theirs:.1f}x (median of {args.runs}), {len(rows)} rows")  # fmt: skip
            print(f"Athena would scan {scanned / 2**20:,.1f} MiB ({column} {first}..{last}):")
            print(trino)


if __name__ == "__main__":
    main()
