"""Benchmark: a shipped CUR query through opsbook (sqlglot + DuckDB) vs the same SQL hand-written for DuckDB.

Prints medians and the ratio; opsbook's overhead is transpiling the Athena SQL and binding the
logical ``cur`` table. Usage: ``python bench/bench_cur_query.py [--scale 5] [--runs 7]``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import time
from pathlib import Path

import duckdb
from opsbook import athena
from opsbook.backends.local.cur import cur_files
from opsbook.sample import FACTS_FILE, generate
from opsbook.settings import resolve

HAND_WRITTEN = """
SELECT BILLING_PERIOD AS billing_period, line_item_product_code AS service,
       sum(line_item_unblended_cost) AS unblended_cost
FROM read_parquet($files, hive_partitioning = true)
WHERE BILLING_PERIOD BETWEEN $start AND $end
GROUP BY 1, 2 ORDER BY 1, 3 DESC
"""


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--scale", type=float, default=5.0)
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    folder = Path(".bench") / f"sample-x{args.scale:g}"
    if not (folder / FACTS_FILE).is_file():
        generate(folder, as_of=dt.date(2026, 11, 15), scale=args.scale, parts=("cur",))
    settings = resolve(backend="local", data_dir=str(folder))
    params = {"start_period": "2026-08", "end_period": "2026-11"}

    def through_opsbook() -> int:
        return len(athena.query("cur/cost_by_service", params, settings=settings))

    def hand_written() -> int:
        con = duckdb.connect()
        bound = {"files": cur_files(settings), "start": "2026-08", "end": "2026-11"}
        return len(con.execute(HAND_WRITTEN, bound).df())

    assert through_opsbook() == hand_written()
    timings = {}
    for name, run in (("opsbook", through_opsbook), ("hand-written DuckDB", hand_written)):
        samples = []
        for _ in range(args.runs):
            started = time.perf_counter()
            run()
            samples.append(time.perf_counter() - started)
        timings[name] = statistics.median(samples)
        print(f"{name:>20}: median {timings[name] * 1000:8.1f} ms over {args.runs} runs")
    ratio = timings["opsbook"] / timings["hand-written DuckDB"]
    print(f"opsbook / hand-written = {ratio:.2f}x (scale {args.scale:g})")


if __name__ == "__main__":
    main()
