"""Benchmark: the savings opportunities review (the notebook's one call) on a large CUR.

Writes (or reuses, ``--keep``) the sample's CUR 2.0 export at ``--scale`` (250 ≈ 50 million rows
over the story's four billing periods) beside the scale-1 metrics and logs that evidence the
checks, then runs :func:`opsbook.cost.review_opportunities` in a fresh process per run:

* ``cold``: a new cache folder each run, so the CUR is scanned and the Metric Streams and log
  files are decoded (a first run on a new machine or a new month);
* ``warm``: the decoded metrics and logs kept from a first run, the CUR scanned again (the CUR
  result cache is off), as when the notebook runs again on the same evidence.

Each run prints its split: the CUR query (``cur/resource_usage``), the CUR-only checks and the
checks that read CloudWatch metrics and logs. The plain alternative is the same aggregation of the
CUR hand-written for DuckDB over ``read_parquet`` (the scan every check prices from): the CUR
query's ratio to it is opsbook's overhead, the review's ratio says how many scans the whole
review costs. Medians of ``--runs``, peak RSS (VmHWM) of each fresh process.

Usage: ``python bench/opportunities.py [--scale 250] [--runs 3] [--keep DIR]``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import multiprocessing
import statistics
import tempfile
import time
from pathlib import Path

from cur_query import AMORTIZED, _peak_rss_mb
from timing import in_fresh_process  # bench/timing.py: scripts run from bench/

AS_OF = dt.date(2026, 11, 15)
MONTH, HISTORY = "2026-10", ("2026-07", "2026-10")

HAND_WRITTEN = f"""
    SELECT BILLING_PERIOD AS billing_period, line_item_usage_account_id AS account_id,
           line_item_usage_account_name AS account_name, product_region_code AS region,
           line_item_resource_id AS resource_id, line_item_product_code AS service,
           line_item_usage_type AS usage_type, sum(line_item_usage_amount) AS usage_amount,
           sum(line_item_unblended_cost) AS unblended_cost, sum({AMORTIZED}) AS amortized_cost,
           sum(CASE WHEN line_item_line_item_type = 'SavingsPlanNegation' THEN 0
                    ELSE coalesce(pricing_public_on_demand_cost, 0) END) AS public_cost,
           min(line_item_usage_start_date) AS first_usage, count(*) AS line_items
    FROM read_parquet($files, hive_partitioning = true)
    WHERE BILLING_PERIOD BETWEEN $a AND $b AND line_item_resource_id <> ''
      AND line_item_line_item_type IN ('Usage', 'DiscountedUsage', 'SavingsPlanCoveredUsage')
    GROUP BY ALL"""


def _prepare(root: Path, scale: float) -> dict:
    from opsbook.sample.cur import write_cur
    from opsbook.sample.logs import write_logs
    from opsbook.sample.metrics import write_metrics
    from opsbook.sample.org import timeline

    facts_file = root / "bench-facts.json"
    if facts_file.is_file() and json.loads(facts_file.read_text())["scale"] == scale:
        return json.loads(facts_file.read_text())
    story = timeline(AS_OF)
    facts = write_cur(root, story, scale=scale)
    write_metrics(root, story)
    write_logs(root, story)
    facts_file.write_text(json.dumps({"scale": scale, "rows": facts["rows"]}))
    return {"scale": scale, "rows": facts["rows"]}


def _worker(folder: str, cache: str, queue: multiprocessing.Queue) -> None:
    from opsbook import cost
    from opsbook.cost import _evidence_checks, opportunities
    from opsbook.settings import resolve

    spent = {"cur_query": 0.0, "evidence_checks": 0.0}

    def timed(name: str, call):
        def run(*args, **kwargs):
            began = time.perf_counter()
            try:
                return call(*args, **kwargs)
            finally:
                spent[name] += time.perf_counter() - began

        return run

    opportunities.resource_usage = timed("cur_query", opportunities.resource_usage)
    for name, (category, check, source) in list(_evidence_checks.EVIDENCE_CHECKS.items()):
        _evidence_checks.EVIDENCE_CHECKS[name] = (category, timed("evidence_checks", check), source)  # fmt: skip
    settings = resolve(backend="local", data_dir=folder, cache_dir=cache)
    import opsbook.athena

    query = opsbook.athena.query
    opsbook.athena.query = lambda *a, **k: query(*a, **{**k, "use_cache": False})
    started = time.perf_counter()
    review = cost.review_opportunities(MONTH, end="2026-11-15", settings=settings)
    seconds = time.perf_counter() - started
    queue.put({"seconds": seconds, "peak_mb": _peak_rss_mb(), **spent,
               "found": len(review.found), "saving": review.total_saving})  # fmt: skip


def _hand_written(folder: str, queue: multiprocessing.Queue) -> None:
    import duckdb

    data = next((Path(folder) / "cur").iterdir()) / "data"
    files = str(data / "BILLING_PERIOD=*" / "*.parquet")
    started = time.perf_counter()
    con = duckdb.connect()
    con.execute("SET enable_progress_bar = false")
    frame = con.execute(HAND_WRITTEN, {"files": files, "a": HISTORY[0], "b": HISTORY[1]}).df()  # fmt: skip
    queue.put({"seconds": time.perf_counter() - started, "peak_mb": _peak_rss_mb(),
               "rows": len(frame)})  # fmt: skip


def _line(name: str, runs: list[dict]) -> dict:
    median = {key: statistics.median(r[key] for r in runs)
              for key in ("seconds", "cur_query", "evidence_checks", "peak_mb")}  # fmt: skip
    rest = median["seconds"] - median["cur_query"] - median["evidence_checks"]
    print(f"{name:>5}: median {median['seconds']:6.1f} s (CUR query {median['cur_query']:.1f} s, "
          f"CUR-only checks {rest:.1f} s, metrics and logs checks {median['evidence_checks']:.1f} s), "
          f"peak {max(r['peak_mb'] for r in runs):,.0f} MB")  # fmt: skip
    return median


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=250.0)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--keep", type=Path, help="data folder to write once and reuse")
    args = parser.parse_args(argv)
    root = args.keep or Path(tempfile.mkdtemp(prefix="bench-opportunities-"))
    root.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    facts = _prepare(root, args.scale)
    print(f"{dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC: {facts['rows']:,} CUR rows at scale "
          f"{args.scale:g} ({time.perf_counter() - started:.0f} s to prepare), medians of {args.runs}")  # fmt: skip
    with tempfile.TemporaryDirectory() as scratch:
        cold = [
            in_fresh_process(_worker, str(root), tempfile.mkdtemp(dir=scratch))
            for _ in range(args.runs)
        ]
        warm = [
            in_fresh_process(_worker, str(root), str(Path(scratch) / "warm"))
            for _ in range(args.runs + 1)
        ]
    hand = [in_fresh_process(_hand_written, str(root)) for _ in range(args.runs)]
    assert len({(r["found"], round(r["saving"], 6)) for r in cold + warm}) == 1, "same answer"
    print(f"found {cold[0]['found']} rows, ${cold[0]['saving']:,.0f} a month")
    cold_median = _line("cold", cold)
    warm_median = _line("warm", warm[1:])  # the first run of the shared folder decodes
    scan = statistics.median(r["seconds"] for r in hand)
    print(f"hand-written DuckDB scan of the same CUR aggregation: median {scan:.1f} s, "
          f"peak {max(r['peak_mb'] for r in hand):,.0f} MB")  # fmt: skip
    print(f"CUR query / hand-written = {warm_median['cur_query'] / scan:.2f}x; "
          f"review / hand-written scan = {warm_median['seconds'] / scan:.1f}x warm, "
          f"{cold_median['seconds'] / scan:.1f}x cold")  # fmt: skip
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
