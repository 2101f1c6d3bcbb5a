"""Benchmark: Logs Insights over ALB access logs in S3 layout, opsbook vs hand-written DuckDB.

Generates ``--lines`` ALB access log entries (default 1 million; the issue's size is
``--lines 10000000``) over one day, written as AWS writes them: gzip objects per load balancer
node and 5 minutes under ``AWSLogs/<account>/elasticloadbalancing/<region>/yyyy/mm/dd/``, in a
temporary folder (``--keep DIR`` keeps them for the next run: 10 million lines take minutes to
write). Then three queries run two ways, median of
``--runs``:

* ``opsbook``: ``opsbook.logs.query`` on the local backend over the ``s3://`` source (objects
  chosen by their key's time, each decoded once into the Parquet cache under ``DIR/cache``,
  the Logs Insights query compiled to DuckDB over the copies' columns). The cache starts empty:
  each query's first run is printed apart (the first one decodes the day), then the median of
  ``--runs`` over the cache;
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
import shutil
import statistics
import tempfile
import time
from pathlib import Path

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from opsbook import logs
from opsbook.backends import s3formats, s3tables
from opsbook.backends.aws.logs_athena import archive_sql
from opsbook.backends.local import columnar
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
    """Write ``lines`` ALB entries over :data:`DAY` in AWS's layout; return the bytes stored.

    Lines are built column-wise (Arrow string kernels), one 5-minute interval at a time, so
    10 million lines take minutes, not an hour.
    """
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
    edges = np.searchsorted(interval, np.arange(289))
    stored = 0
    for five in range(288):
        lo, hi = int(edges[five]), int(edges[five + 1])
        if lo == hi:
            continue
        text = _lines(
            np.arange(lo, hi), offsets[lo:hi], status[lo:hi], latency[lo:hi], target[lo:hi],
            client[lo:hi],
        )  # fmt: skip
        end = DAY + dt.timedelta(minutes=5 * (five + 1))
        for n, address in enumerate(NODES):
            chosen = text.filter(pa.array(node[lo:hi] == n))
            if not len(chosen):
                continue
            key = (
                f"{ACCOUNT}_elasticloadbalancing_{REGION}_app.shop-public.50dc6c495c0c9188_"
                f"{end:%Y%m%dT%H%MZ}_{address}_{five:08x}.log.gz"
            )
            data = gzip.compress(_joined(chosen), compresslevel=1, mtime=0)
            (folder / key).write_bytes(data)
            stored += len(data)
    return stored


def _lines(index, offsets, status, latency, target, client) -> pa.Array:  # noqa: ANN001
    """Return the ALB log lines (each ending in a newline) of the given draws."""
    at = np.datetime64(DAY.replace(tzinfo=None), "us") + offsets.astype("timedelta64[us]")
    stamp = pa.array(np.datetime_as_string(at, unit="us"))
    seconds = _hex(int(DAY.timestamp()) + offsets // 1_000_000)
    millis = np.rint(latency * 1000).astype(np.int64)
    st = _text(status)
    pieces = [
        "https ", stamp, "Z app/shop-public/50dc6c495c0c9188 198.51.", _text(client // 250), ".",
        _text(client % 250), ":", _text(40000 + index % 20000), " 10.0.", _text(target // 20),
        ".", _text(target % 20 + 10), ":8080 0.000 ", _text(millis // 1000), ".",
        pc.utf8_lpad(_text(millis % 1000), 3, "0"), " 0.000 ", st, " ", st, " 210 ",
        pc.if_else(pa.array(status >= 500), "36", "520"),
        ' "GET https://shop.example.com:443/cart HTTP/1.1" "Mozilla/5.0" '
        "ECDHE-RSA-AES128-GCM-SHA256 TLSv1.2 "
        f"arn:aws:elasticloadbalancing:{REGION}:{ACCOUNT}:targetgroup/checkout/73e2d6bc "
        '"Root=1-', seconds, "-0000000000000000", _hex(index),
        '" "shop.example.com" "-" 1 ', stamp, 'Z "forward" "-" "-" "10.0.0.1:8080" "', st,
        '" "-" "-" TID_000000000000000000000000', _hex(index), "\n",
    ]  # fmt: skip
    return pc.binary_join_element_wise(*pieces, "")


_BYTE_HEX = np.array([f"{i:02x}".encode() for i in range(256)], "S2").view(np.uint16)


def _hex(values: np.ndarray) -> pa.Array:
    """Eight lower-case hex digits of each value (below 2**32), as Arrow strings."""
    chars = np.ascontiguousarray(_BYTE_HEX[values.astype(">u4").view(np.uint8).reshape(-1, 4)])
    digits = pa.FixedSizeBinaryArray.from_buffers(
        pa.binary(8), len(values), [None, pa.py_buffer(chars)]
    )
    return digits.cast(pa.string())


def _text(values: np.ndarray) -> pa.Array:
    return pa.array(values).cast(pa.string())


def _joined(lines: pa.Array) -> bytes:
    """The concatenated text of string array ``lines`` (no nulls), straight from its buffer."""
    lines = pa.concat_arrays([lines]) if isinstance(lines, pa.Array) else lines.combine_chunks()
    ends = np.frombuffer(lines.buffers()[1], np.int32)[lines.offset : lines.offset + len(lines) + 1]
    return lines.buffers()[2].to_pybytes()[ends[0] : ends[-1]]


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
        # The Parquet cache starts empty: the first query decodes the day's objects once.
        cache = root / "cache"
        shutil.rmtree(cache, ignore_errors=True)
        columnar.clear_memo()
        settings = resolve(backend="local", data_dir=str(root), cache_dir=str(cache))
        summary = []
        for name, text, window, sql in QUERIES:
            cold = time.perf_counter()
            logs.query(text, [SOURCE], *window, settings=settings)
            cold = time.perf_counter() - cold
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
            summary.append((name, ours, theirs, cold))
            print(f"\n== {name}: opsbook {ours:.2f} s, hand-written DuckDB {theirs:.2f} s, "
                  f"ratio {ours / theirs:.2f}x (median of {args.runs}), {len(rows)} rows; "
                  f"first run {cold:.2f} s")  # fmt: skip
            print(f"Athena would scan {scanned / 2**20:,.1f} MiB ({column} {first}..{last}):")
            print(trino)
        print(f"\n{'query':<40} {'opsbook':>8} {'duckdb':>8} {'ratio':>6} {'first run':>10}")
        for name, ours, theirs, cold in summary:
            print(f"{name:<40} {ours:>7.2f}s {theirs:>7.2f}s {ours / theirs:>5.2f}x {cold:>9.2f}s")
        print(
            f"(median of {args.runs}; 'first run': opsbook's first query, which found the "
            "Parquet cache empty or partly filled and decoded the objects it needed)"
        )


if __name__ == "__main__":
    main()
