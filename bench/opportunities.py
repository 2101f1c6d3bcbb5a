"""Benchmark: the savings opportunities review (the notebook's one call) on a large CUR.

Writes (or reuses, ``--keep``) the sample's CUR 2.0 export at ``--scale`` (250 ≈ 50 million rows
over the story's four billing periods) beside the scale-1 metrics and logs that evidence the
checks, then runs :func:`opsbook.cost.review_opportunities` in a fresh process per run and
prints its median seconds, peak RSS, the CUR rows and what it found.

Usage: ``python bench/opportunities.py [--scale 250] [--runs 3] [--keep DIR]``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import multiprocessing
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

AS_OF = dt.date(2026, 11, 15)


def _peak_rss_mib() -> float:
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / 2**20 if sys.platform == "darwin" else peak / 2**10


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


def _worker(folder: str, queue: multiprocessing.Queue) -> None:
    from opsbook import cost
    from opsbook.settings import resolve

    started = time.perf_counter()
    review = cost.review_opportunities(
        "2026-10", end="2026-11-15", settings=resolve(backend="local", data_dir=folder)
    )
    seconds = time.perf_counter() - started
    queue.put({"seconds": seconds, "peak_rss_mib": _peak_rss_mib(),
               "found": len(review.found), "saving": review.total_saving})  # fmt: skip


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
    print(f"data: {facts['rows']:,} CUR rows at scale {args.scale:g} "
          f"({time.perf_counter() - started:.0f} s to prepare)")  # fmt: skip
    context = multiprocessing.get_context("spawn")
    results = []
    for _ in range(args.runs):
        queue = context.Queue()
        worker = context.Process(target=_worker, args=(str(root), queue))
        worker.start()
        results.append(queue.get())
        worker.join()
    seconds = statistics.median(r["seconds"] for r in results)
    peak = max(r["peak_rss_mib"] for r in results)
    print(f"review_opportunities: median {seconds:.1f} s over {args.runs} runs, "
          f"peak RSS {peak:,.0f} MiB, {results[0]['found']} rows, "
          f"${results[0]['saving']:,.0f} a month")  # fmt: skip
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
