"""Benchmark: the cost curve, time and peak memory as the data grows, with the fitted exponent.

* CUR: the monthly review (``bench/cur_query.py``'s four queries over the last two closed months)
  through opsbook and hand-written DuckDB, on 12-month CUR 2.0 exports of about ``--cur-rows``
  million rows each (default ``10,50``; ``10,50,200`` is the full curve, ~9 GB of Parquet and
  about an hour of generating on 2 cores), or on exports already written (``--cur-data``); the
  size is the rows of the two months read;
* Logs Insights: the three queries of ``bench/logs_local.py`` over ``--events`` million events
  (default ``10,50``; ``10,50,100`` for the full curve), opsbook and hand-written DuckDB.

Each size runs in a fresh process (its peak RSS is its own; medians of ``--runs``). The fitted
exponent ``k`` is the slope of log(time) on log(size) (time ∝ size^k); memory is compared as
largest over smallest. Targets: k ≤ 1.05 and memory ≤ 1.2× from the smallest to the largest.

    python bench/scaling.py [--cur-rows 10,50 | --cur-data DIR,DIR] [--events 10,50] [--runs 3] [--skip-cur] [--skip-logs]
"""

from __future__ import annotations

import argparse
import datetime as dt
import multiprocessing
import statistics
import tempfile
import time
from pathlib import Path

import numpy as np

ROWS_PER_SCALE = 50e6 / 78  # cur_query.py: --scale 78 is about 50 million rows (50.3)


def _peak_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def _cur_worker(way: str, folder: str, runs: int, queue) -> None:
    import cur_query  # bench/cur_query.py: scripts run from bench/

    result: dict = {}
    try:
        cur_query._worker(way, folder, runs, _Box(result))
    finally:
        queue.put(result)


class _Box:
    """A queue stand-in that keeps what a worker puts (the worker runs in this process)."""

    def __init__(self, into: dict) -> None:
        self.into = into

    def put(self, value: dict) -> None:
        self.into.update(value)


def _logs_worker(way: str, path: str, runs: int, queue) -> None:
    import duckdb
    import logs_local  # bench/logs_local.py
    from opsbook.backends.local import logs as local_logs
    from opsbook.settings import resolve

    settings, con, timings = resolve(), duckdb.connect(), []
    for _ in range(runs):
        began = time.perf_counter()
        for insights, sql in logs_local.QUERIES.values():
            if way == "opsbook":
                local_logs.query(settings, insights, [], *logs_local.WINDOW, limit=10_000, sources=[path])  # fmt: skip
            else:
                values = {"path": path, "start": logs_local.WINDOW[0], "end": logs_local.WINDOW[1]}
                con.execute(sql, values).fetchall()
        timings.append(time.perf_counter() - began)
    queue.put({"median_s": statistics.median(timings), "peak_mb": _peak_mb()})


def _in_process(target, *args) -> dict:
    context = multiprocessing.get_context("spawn")
    queue = context.Queue()
    process = context.Process(target=target, args=(*args, queue))
    process.start()
    result = queue.get()
    process.join()
    return result


def _cur_export(millions: float) -> Path:
    from cur_query import AS_OF
    from opsbook.sample.cur import write_cur
    from opsbook.sample.org import timeline

    scale = round(millions * 1e6 / ROWS_PER_SCALE, 1)
    folder = Path(".bench") / f"cur-12m-x{scale:g}"
    marker = folder / "rows.txt"
    if not marker.is_file():
        began = time.perf_counter()
        facts = write_cur(folder, timeline(AS_OF), scale=scale, seed=7, closed_months=11)
        marker.write_text(str(facts["rows"]))
        print(f"  generated {facts['rows']:,} rows in {time.perf_counter() - began:.0f} s")
    return folder


def _rows_read(folder: Path) -> int:
    """Rows in the billing periods the review reads (Parquet metadata, nothing scanned)."""
    import pyarrow.parquet as pq
    from cur_query import MONTHS

    data = next((folder / "cur").iterdir()) / "data"
    return sum(pq.ParquetFile(path).metadata.num_rows for month in MONTHS
               for path in (data / f"BILLING_PERIOD={month}").glob("*.parquet"))  # fmt: skip


def _fit(sizes: list[float], times: list[float]) -> float:
    return float(np.polyfit(np.log(sizes), np.log(times), 1)[0]) if len(sizes) > 1 else float("nan")


def _curve(title: str, unit: str, points: list[tuple[float, dict, dict]]) -> None:
    print(f"\n{title}")
    print(f"{unit:>12}{'opsbook s':>11}{'duckdb s':>10}{'ratio':>7}{'ops MB':>9}{'duck MB':>9}")
    for size, ours, hand in points:
        print(
            f"{size:>12,.0f}{ours['median_s']:>11.2f}{hand['median_s']:>10.2f}"
            f"{ours['median_s'] / hand['median_s']:>7.2f}{ours['peak_mb']:>9.0f}{hand['peak_mb']:>9.0f}"
        )
    sizes = [p[0] for p in points]
    for way, index in (("opsbook", 1), ("duckdb", 2)):
        times = [p[index]["median_s"] for p in points]
        memory = [p[index]["peak_mb"] for p in points]
        print(
            f"  {way}: time ∝ size^{_fit(sizes, times):.2f} (target ≤ 1.05); peak memory "
            f"{memory[-1] / memory[0]:.2f}x smallest to largest (target ≤ 1.2)"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cur-rows", default="10,50", help="millions of CUR rows, comma-separated")
    parser.add_argument("--events", default="10,50", help="millions of log events, comma-separated")
    parser.add_argument("--cur-data", help="existing CUR exports holding 2026-09 and 2026-10 "
                        "(e.g. bench/opportunities.py's), comma-separated, instead of generating")  # fmt: skip
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--skip-cur", action="store_true")
    parser.add_argument("--skip-logs", action="store_true")
    args = parser.parse_args()
    print(f"{dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC, medians of {args.runs} runs per size")
    if not args.skip_cur:
        points = []
        folders = ([Path(f) for f in args.cur_data.split(",")] if args.cur_data else
                   [_cur_export(float(m)) for m in args.cur_rows.split(",")])  # fmt: skip
        for folder in folders:
            rows = _rows_read(folder)
            ours = _in_process(_cur_worker, "opsbook", str(folder), args.runs)
            hand = _in_process(_cur_worker, "duckdb", str(folder), args.runs)
            points.append((rows, ours, hand))
        _curve("CUR monthly review (4 queries, last two closed months)", "rows read", points)
    if not args.skip_logs:
        import logs_local

        points = []
        with tempfile.TemporaryDirectory() as scratch:
            for millions in (float(m) for m in args.events.split(",")):
                path = Path(scratch) / f"events-{millions:g}m.parquet"
                logs_local.generate(path, int(millions * 1e6))
                ours = _in_process(_logs_worker, "opsbook", str(path), args.runs)
                hand = _in_process(_logs_worker, "duckdb", str(path), args.runs)
                points.append((millions * 1e6, ours, hand))
                path.unlink()
        _curve("Logs Insights (3 queries)", "events", points)


if __name__ == "__main__":
    main()
