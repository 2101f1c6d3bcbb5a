"""Benchmark: local metric rollups through opsbook vs a plain pandas resample.

30 days x 1-minute x N series (default 1,000: 43.2 million datapoints) are written once to a
temporary folder: as the Parquet ``opsbook metrics pull`` writes (flat columns, dimensions as
canonical JSON, sorted by series and time in 65,536-row groups; ``--layout mapped``: the first
layout, Metric Streams-shaped rows with MAP columns, still read), which the local backend reads,
and as a flat Parquet file (series, timestamp, sum, count, p99) for pandas. Then, for 5-minute and 1-hour periods, Sum and Average of every series:

- opsbook: ``opsbook.metrics.get`` on the local backend (DuckDB reads, filters, aggregates);
- pandas: ``read_parquet`` then ``groupby(series).resample(period)`` of sum and count, Average
  as their ratio (the correct CloudWatch rollup), timed with and without the read.

p99 is not rolled up: percentiles of minutes do not combine into the percentile of the hour, so
opsbook refuses it above the records' own period (a pandas ``resample().quantile()`` of minute
p99s would be a different, wrong number). The 60-second p99 read is timed instead.

Run: ``.venv/bin/python bench/metrics_local.py [--series 1000] [--days 30] [--repeat 3]
[--layout flat|mapped]`` (``--series 200 --repeat 1`` for a quick look). The
machine is shared: medians are printed.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import duckdb
import pandas as pd
from opsbook import metrics
from opsbook.settings import resolve
from timing import median_seconds  # bench/timing.py: scripts run from bench/

START = pd.Timestamp("2026-10-16", tz="UTC")


def write_data(folder: Path, series: int, days: int, layout: str) -> tuple[Path, Path]:
    """Write the pulled-format Parquet (for opsbook) and a flat one (for pandas)."""
    pulled = folder / "metrics" / "opsbook-pull" / "bench.parquet"
    pulled.parent.mkdir(parents=True)
    flat = folder / "flat.parquet"
    con = duckdb.connect()
    con.execute("SET preserve_insertion_order = false")
    minutes = days * 1440
    start_ms = int(START.value // 1_000_000)
    con.execute(
        f"""
        CREATE TABLE points AS
        SELECT s::INTEGER AS series, $start + m * 60000 AS timestamp,
               1 + (hash(s, m) % 100)::DOUBLE AS count,
               (1 + (hash(s, m) % 100)) * (50 + hash(m, s) % 50)::DOUBLE AS sum,
               200 + (hash(m) % 300)::DOUBLE AS p99
        FROM range({series}) AS a(s), range({minutes}) AS b(m)
        """,
        {"start": start_ms},
    )
    con.execute(f"COPY points TO '{flat}' (FORMAT parquet)")
    if layout == "flat":  # as opsbook.backends.pulled.write_metrics writes it
        con.execute(
            f"""
            COPY (SELECT 'Bench/App' AS namespace, 'Latency' AS metric_name,
                         '{{"Series":"s' || series || '"}}' AS dimensions,
                         make_timestamp(timestamp * 1000)::TIMESTAMPTZ AS timestamp,
                         sum / count / 2 AS min, sum / count * 2 AS max, sum, count, p99,
                         60::INTEGER AS period
                  FROM points ORDER BY namespace, metric_name, dimensions, timestamp)
            TO '{pulled}' (FORMAT parquet, ROW_GROUP_SIZE 65536)
            """
        )
        return pulled, flat
    con.execute(
        f"""
        COPY (SELECT 'Bench/App' AS namespace, 'Latency' AS metric_name,
                     map(['Series'], ['s' || series]) AS dimensions, timestamp,
                     map(['count', 'sum', 'min', 'max', 'p99'],
                         [count, sum, sum / count / 2, sum / count * 2, p99]) AS value,
                     60 AS period
              FROM points) TO '{pulled}' (FORMAT parquet)
        """
    )
    return pulled, flat


def main() -> None:
    """Write the data, time both ways for each period, print medians and ratios."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--series", type=int, default=1000)
    parser.add_argument("--days", type=int, default=30)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--layout", choices=("flat", "mapped"), default="flat")
    args = parser.parse_args()
    end = START + pd.Timedelta(days=args.days)
    with tempfile.TemporaryDirectory(prefix="opsbook-bench-") as temporary:
        folder = Path(temporary)
        started = time.perf_counter()
        _, flat = write_data(folder, args.series, args.days, args.layout)
        points = args.series * args.days * 1440
        print(f"{args.series} series x {args.days} days x 1 min = {points:,} datapoints, "
              f"{args.layout} pulled layout (written in {time.perf_counter() - started:.1f} s)")  # fmt: skip
        settings = resolve(backend="local", data_dir=str(folder))
        names = [f"Bench/App Latency Series=s{i}" for i in range(args.series)]
        frame = pd.read_parquet(flat)
        frame["timestamp"] = pd.to_datetime(frame.timestamp, unit="ms", utc=True)

        for period, rule in ((300, "5min"), (3600, "1h")):
            queries = {f"sum{i}": f"{n} stat=Sum" for i, n in enumerate(names)} | {
                f"avg{i}": f"{n} stat=Average" for i, n in enumerate(names)
            }

            def through_opsbook(queries=queries, period=period) -> pd.DataFrame:
                return metrics.get(queries, START, end, period, settings=settings)

            def pandas_rollup(data: pd.DataFrame, rule=rule) -> pd.DataFrame:
                rolled = (
                    data.set_index("timestamp")
                    .groupby("series")[["sum", "count"]]
                    .resample(rule)
                    .sum()
                )
                rolled["average"] = rolled["sum"] / rolled["count"]
                return rolled

            ours = median_seconds(through_opsbook, args.repeat)
            theirs = median_seconds(lambda r=rule: pandas_rollup(frame, r), args.repeat)
            with_read = median_seconds(
                lambda r=rule: pandas_rollup(
                    pd.read_parquet(flat).assign(
                        timestamp=lambda f: pd.to_datetime(f.timestamp, unit="ms", utc=True)
                    ),
                    r,
                ),
                args.repeat,
            )
            check = through_opsbook()
            expected = pandas_rollup(frame)
            got = check[check.id == "avg0"].value.to_numpy()
            assert abs(got - expected.loc[0]["average"].to_numpy()).max() < 1e-9, "results differ"
            print(f"{rule:>4} Sum+Average: opsbook {ours:6.2f} s | pandas resample {theirs:6.2f} s "
                  f"(ratio {ours / theirs:4.2f}) | pandas incl. read {with_read:6.2f} s "
                  f"(ratio {ours / with_read:4.2f})")  # fmt: skip

        p99 = {f"p{i}": f"{n} stat=p99" for i, n in enumerate(names[: min(100, args.series)])}
        day_end = START + pd.Timedelta(days=1)
        ours = median_seconds(
            lambda: metrics.get(p99, START, day_end, 60, settings=settings), args.repeat
        )
        print(f" 60s p99 of {len(p99)} series over 1 day (native period, no rollup): {ours:.2f} s; "
              "5min/1h p99 refused by design (percentiles do not combine)")  # fmt: skip


if __name__ == "__main__":
    main()
