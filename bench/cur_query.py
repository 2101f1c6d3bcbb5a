"""Benchmark: the monthly CUR review through opsbook vs hand-written DuckDB vs pandas.

Generates (or reuses) a 12-month CUR 2.0 export at scale (``--scale 78`` ≈ 50 million rows over
12 billing periods) and runs the monthly review query set (cost by service, by account, by app
tag, and the invoiced-vs-amortized summary, for the last two closed months) three ways:

* ``opsbook``: the shipped Athena queries through ``opsbook.athena.query`` (sqlglot → DuckDB,
  partition pruning, result cache off);
* ``duckdb``: the same queries hand-written for DuckDB over ``read_parquet`` with hive partitions;
* ``pandas``: what an analyst would write without either: ``pd.read_parquet`` of the two months'
  files, only the needed columns, then ``groupby``.

Each way runs in a fresh process (so peak RSS is its own); medians over ``--runs`` are printed with
peak memory, bytes read and the ratios, plus the share of the year's bytes a one-month query reads.
Usage: ``python bench/cur_query.py [--scale 78] [--runs 3]``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import multiprocessing
import resource
import statistics
import time
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
from opsbook import athena
from opsbook.sample.cur import write_cur
from opsbook.sample.org import timeline
from opsbook.settings import resolve
from timing import in_fresh_process  # bench/timing.py: scripts run from bench/

AS_OF = dt.date(2026, 11, 15)
MONTHS = ("2026-09", "2026-10")
QUERIES = (
    "cur/cost_by_service",
    "cur/cost_by_account",
    "cur/cost_by_app",
    "cur/amortized_cost_summary",
)

#: A line item's amortized cost, hand-written (opsbook's rule: queries/_fragments/amortized_cost.sql).
AMORTIZED = """CASE line_item_line_item_type
    WHEN 'DiscountedUsage' THEN reservation_effective_cost
    WHEN 'RIFee' THEN reservation_unused_amortized_upfront_fee_for_billing_period
                      + reservation_unused_recurring_fee
    WHEN 'SavingsPlanCoveredUsage' THEN savings_plan_savings_plan_effective_cost
    WHEN 'SavingsPlanRecurringFee' THEN savings_plan_total_commitment_to_date
                                        - savings_plan_used_commitment
    WHEN 'SavingsPlanNegation' THEN 0 WHEN 'SavingsPlanUpfrontFee' THEN 0
    WHEN 'Fee' THEN CASE WHEN reservation_reservation_a_r_n <> '' THEN 0
                         ELSE line_item_unblended_cost END
    ELSE line_item_unblended_cost END"""
#: Net of discounts: each net column where the export has it, else the gross one.
NET_AMORTIZED = """CASE line_item_line_item_type
    WHEN 'DiscountedUsage' THEN coalesce(reservation_net_effective_cost, reservation_effective_cost)
    WHEN 'RIFee' THEN coalesce(reservation_net_unused_amortized_upfront_fee_for_billing_period,
                               reservation_unused_amortized_upfront_fee_for_billing_period)
                      + coalesce(reservation_net_unused_recurring_fee, reservation_unused_recurring_fee)
    WHEN 'SavingsPlanCoveredUsage' THEN coalesce(savings_plan_net_savings_plan_effective_cost,
                                                 savings_plan_savings_plan_effective_cost)
    WHEN 'SavingsPlanRecurringFee' THEN savings_plan_total_commitment_to_date
                                        - savings_plan_used_commitment
    WHEN 'SavingsPlanNegation' THEN 0 WHEN 'SavingsPlanUpfrontFee' THEN 0
    WHEN 'Fee' THEN CASE WHEN reservation_reservation_a_r_n <> '' THEN 0
                         ELSE coalesce(line_item_net_unblended_cost, line_item_unblended_cost) END
    ELSE coalesce(line_item_net_unblended_cost, line_item_unblended_cost) END"""
_FROM = "FROM read_parquet($files, hive_partitioning = true) WHERE BILLING_PERIOD BETWEEN $a AND $b"
HAND_WRITTEN = {
    "cur/cost_by_service": f"""
        SELECT BILLING_PERIOD AS billing_period, line_item_product_code AS service,
               sum(line_item_unblended_cost) AS unblended_cost {_FROM}
        GROUP BY ALL ORDER BY 1, 3 DESC""",
    "cur/cost_by_account": f"""
        SELECT BILLING_PERIOD AS billing_period, line_item_usage_account_id AS account_id,
               line_item_usage_account_name AS account_name,
               sum(line_item_unblended_cost) AS unblended_cost,
               sum({AMORTIZED}) AS amortized_cost {_FROM}
        GROUP BY ALL ORDER BY 1, 4 DESC, 2""",
    "cur/cost_by_app": f"""
        SELECT BILLING_PERIOD AS billing_period, resource_tags['user_app'] AS app,
               sum(line_item_unblended_cost) AS unblended_cost {_FROM}
        GROUP BY ALL ORDER BY 1, 3 DESC, 2""",
    "cur/amortized_cost_summary": f"""
        SELECT BILLING_PERIOD AS billing_period, sum(line_item_unblended_cost) AS unblended_cost,
               sum({AMORTIZED}) AS amortized_cost, sum({NET_AMORTIZED}) AS net_amortized_cost,
               sum(CASE line_item_line_item_type
                   WHEN 'RIFee' THEN -reservation_amortized_upfront_fee_for_billing_period
                   WHEN 'SavingsPlanRecurringFee'
                       THEN -savings_plan_amortized_upfront_commitment_for_billing_period
                   ELSE 0 END) AS true_up,
               sum(CASE WHEN line_item_line_item_type = 'SavingsPlanUpfrontFee'
                          OR (line_item_line_item_type = 'Fee' AND reservation_reservation_a_r_n <> '')
                        THEN line_item_unblended_cost ELSE 0 END) AS upfront_fees,
               sum(CASE WHEN line_item_line_item_type <> 'SavingsPlanNegation'
                        THEN pricing_public_on_demand_cost END) AS public_cost {_FROM}
        GROUP BY ALL ORDER BY 1""",
}
_AMORTIZED_COLUMNS = [
    "line_item_line_item_type", "line_item_unblended_cost", "reservation_effective_cost",
    "reservation_unused_amortized_upfront_fee_for_billing_period", "reservation_unused_recurring_fee",
    "savings_plan_savings_plan_effective_cost", "savings_plan_total_commitment_to_date",
    "savings_plan_used_commitment", "reservation_reservation_a_r_n",
    "reservation_amortized_upfront_fee_for_billing_period",
    "savings_plan_amortized_upfront_commitment_for_billing_period",
]  # fmt: skip


def _amortized(frame: pd.DataFrame) -> np.ndarray:
    kind = frame.line_item_line_item_type
    return np.select(
        [
            kind == "DiscountedUsage",
            kind == "RIFee",
            kind == "SavingsPlanCoveredUsage",
            kind == "SavingsPlanRecurringFee",
            kind.isin(["SavingsPlanNegation", "SavingsPlanUpfrontFee"]),
            (kind == "Fee") & (frame.reservation_reservation_a_r_n != ""),
        ],
        [
            frame.reservation_effective_cost,
            frame.reservation_unused_amortized_upfront_fee_for_billing_period
            + frame.reservation_unused_recurring_fee,
            frame.savings_plan_savings_plan_effective_cost,
            frame.savings_plan_total_commitment_to_date - frame.savings_plan_used_commitment,
            0.0,
            0.0,
        ],
        frame.line_item_unblended_cost,
    )


def _pandas_read(data: Path, columns: list[str]) -> pd.DataFrame:
    parts = []
    for month in MONTHS:
        for path in sorted((data / f"BILLING_PERIOD={month}").glob("*.parquet")):
            part = pd.read_parquet(path, columns=columns)
            part["billing_period"] = month
            parts.append(part)
    return pd.concat(parts, ignore_index=True)


def _pandas(name: str, data: Path) -> pd.DataFrame:
    if name == "cur/cost_by_service":
        frame = _pandas_read(data, ["line_item_product_code", "line_item_unblended_cost"])
        return frame.groupby(["billing_period", "line_item_product_code"], as_index=False)[
            "line_item_unblended_cost"
        ].sum()
    if name == "cur/cost_by_account":
        frame = _pandas_read(
            data,
            ["line_item_usage_account_id", "line_item_usage_account_name", *_AMORTIZED_COLUMNS],
        )
        frame["amortized_cost"] = _amortized(frame)
        keys = ["billing_period", "line_item_usage_account_id", "line_item_usage_account_name"]
        return frame.groupby(keys, as_index=False)[
            ["line_item_unblended_cost", "amortized_cost"]
        ].sum()
    if name == "cur/cost_by_app":
        frame = _pandas_read(data, ["resource_tags", "line_item_unblended_cost"])
        frame["app"] = [dict(tags).get("user_app") for tags in frame.resource_tags]
        return frame.groupby(["billing_period", "app"], as_index=False, dropna=False)[
            "line_item_unblended_cost"
        ].sum()
    frame = _pandas_read(data, _AMORTIZED_COLUMNS)
    frame["amortized_cost"] = _amortized(frame)
    return frame.groupby("billing_period", as_index=False)[
        ["line_item_unblended_cost", "amortized_cost"]
    ].sum()


def _peak_rss_mb() -> float:
    """This process's peak RSS; VmHWM, since ru_maxrss survives exec from the parent on Linux."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _worker(way: str, folder: str, runs: int, queue: multiprocessing.Queue) -> None:
    settings = resolve(backend="local", data_dir=folder, cache_dir="off")
    data = next((Path(folder) / "cur").iterdir()) / "data"
    params = {"start_period": MONTHS[0], "end_period": MONTHS[-1]}
    files = str(data / "BILLING_PERIOD=*" / "*.parquet")
    timings, cpu, scanned, cost, rows = [], [], 0, 0.0, {}
    for _ in range(runs):
        started, cpu_started = time.perf_counter(), time.process_time()
        scanned, cost = 0, 0.0
        for name in QUERIES:
            if way == "opsbook":
                frame = athena.query(name, params, settings=settings, use_cache=False)
                scanned += frame.attrs["query"]["bytes_scanned"]
                cost += frame.attrs["query"]["cost_usd"]  # Athena's price for the same scans
            elif way == "duckdb":
                con = duckdb.connect()
                frame = con.execute(
                    HAND_WRITTEN[name], {"files": files, "a": MONTHS[0], "b": MONTHS[-1]}
                ).df()
                con.close()
            else:
                frame = _pandas(name, data)
            rows[name] = len(frame)
        timings.append(time.perf_counter() - started)
        cpu.append(time.process_time() - cpu_started)  # every thread's user + sys
    queue.put(
        {
            "median_s": statistics.median(timings),
            "cpu_s": statistics.median(cpu),
            "peak_mb": _peak_rss_mb(),
            "bytes": scanned,
            "cost_usd": cost,
            "rows": rows,
        }
    )


def _run(way: str, folder: Path, runs: int) -> dict:
    return in_fresh_process(_worker, way, str(folder), runs)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--scale", type=float, default=78.0)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    folder = Path(".bench") / f"cur-12m-x{args.scale:g}"
    marker = folder / "rows.txt"
    if not marker.is_file():
        started = time.perf_counter()
        facts = write_cur(folder, timeline(AS_OF), scale=args.scale, seed=7, closed_months=11)
        marker.write_text(str(facts["rows"]))
        print(f"generated {facts['rows']:,} rows in {time.perf_counter() - started:.0f} s")
    print(f"CUR: {int(marker.read_text()):,} rows, 12 billing periods, scale {args.scale:g}")

    settings = resolve(backend="local", data_dir=str(folder), cache_dir="off")
    one = athena.query(
        "cur/cost_by_service",
        {"start_period": "2026-10", "end_period": "2026-10"},
        settings=settings,
        use_cache=False,
    )
    year = athena.query(
        "SELECT line_item_product_code AS service, sum(line_item_unblended_cost) AS c FROM cur GROUP BY 1",
        settings=settings,
        allow_full_scan=True,
        use_cache=False,
    )
    share = one.attrs["query"]["bytes_scanned"] / year.attrs["query"]["bytes_scanned"]
    print(
        f"one-month query reads {share:.3f} of the year's bytes for the same columns (target <= 0.1)"
    )

    results = {way: _run(way, folder, args.runs) for way in ("opsbook", "duckdb", "pandas")}
    assert results["opsbook"]["rows"] == results["duckdb"]["rows"], "same answers"
    for way, result in results.items():
        print(f"{way:>8}: median {result['median_s']:7.2f} s for {len(QUERIES)} queries over {args.runs} runs, "
              f"peak {result['peak_mb']:7.0f} MB" + (f", read {result['bytes'] / 2**20:.0f} MB" if result["bytes"] else ""))  # fmt: skip
    base = results["opsbook"]["median_s"]
    print(
        f"opsbook / hand-written DuckDB = {base / results['duckdb']['median_s']:.2f}x (target <= 1.2)"
    )
    print(f"pandas / opsbook = {results['pandas']['median_s'] / base:.1f}x (target >= 10)")
    print(f"opsbook peak memory {results['opsbook']['peak_mb']:.0f} MB (target < 2048)")


if __name__ == "__main__":
    main()
