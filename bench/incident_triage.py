"""Time to the first findings table of incident triage on the sample org.

Two measures, against the issue's target of 5 s to the first findings table:

1. in a warm process: the median of ``triage(..., checks=FIRST_CHECKS).found()`` (alarms,
   canaries, Health, changes, golden signals, dependencies, top errors), the SLO burn check on
   its own, and the ratio
   against the plain alternative: the same raw source calls with no analysis;
2. headless, as an on-call bot runs it: ``runbooks/incident-triage.ipynb`` executed by papermill
   ``--runs`` times in fresh kernels. Inside each run the runbook records ``first_findings_s``:
   seconds from the run's first cell (opsbook's import) to the findings table, kernel start
   excluded. Timed outside: from the papermill call (kernel start included) to the end of the
   findings cell, as papermill stamped it; and the whole run (every cell, the notebook written).

Usage: python bench/incident_triage.py [--data-dir DIR] [--repeat N] [--runs N]
(without --data-dir, the pinned sample is generated into a temporary folder first)
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import statistics
import tempfile
import time
from pathlib import Path

from opsbook import alarms, changes, health, logs, metrics
from opsbook.incident import FIRST_CHECKS, triage
from opsbook.settings import resolve
from timing import median_seconds, pinned_sample  # bench/timing.py: scripts run from bench/

START, END = "2026-11-14T14:00Z", "2026-11-14T15:00Z"
LB = "LoadBalancer=app/checkout-alb/50dc6c495c0c9188"
ROOT = Path(__file__).resolve().parents[1]
TARGET_S = 5.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", default="")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--runs", type=int, default=5, help="headless runbook runs")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="opsbook-bench-") as scratch:
        data_dir = args.data_dir or pinned_sample(Path(scratch))
        _in_process(data_dir, args.repeat)
        if args.runs > 0:  # --runs 0: in process only
            _headless(data_dir, args.runs, Path(scratch))


def _in_process(data_dir: str, repeat: int) -> None:
    settings = resolve(backend="local", data_dir=data_dir)

    def first() -> None:
        triage("checkout-api", START, END, checks=FIRST_CHECKS, settings=settings).found()

    def plain() -> None:
        alarms.describe_alarms(None, settings=settings)
        alarms.read_alarm_history(START, END, settings=settings)
        health.read_health_events(START, END, settings=settings)
        changes.read_changes("2026-11-14T08:00Z", END, settings=settings)
        metrics.get([f"AWS/ApplicationELB RequestCount {LB} stat=Sum",
                     f"AWS/ApplicationELB HTTPCode_Target_5XX_Count {LB} stat=Sum",
                     f"AWS/ApplicationELB TargetResponseTime {LB} stat=p99"], START, END, settings=settings)  # fmt: skip
        logs.query("logs/top_errors", ["/ecs/checkout-api"], START, END, settings=settings)

    def slo() -> None:
        triage("checkout-api", START, END, checks=("slo_burn",), settings=settings)

    cold = median_seconds(first, 1)  # the first call in a fresh process, as a runbook makes it
    t_first, t_plain = median_seconds(first, repeat), median_seconds(plain, repeat)
    t_slo = median_seconds(slo, max(1, repeat // 2))
    print(
        f"first findings ({len(FIRST_CHECKS)} checks), cold: {cold:.2f} s (first call in this process)"
    )
    print(
        f"first findings ({len(FIRST_CHECKS)} checks), warm: median {t_first:.2f} s over {repeat} runs"
    )
    print(
        f"plain raw source calls:          median {t_plain:.2f} s  (triage / plain = {t_first / t_plain:.2f}x)"
    )
    print(f"SLO burn check alone:            median {t_slo:.2f} s")


def _headless(data_dir: str, runs: int, scratch: Path) -> None:
    import papermill
    from opsbook.runner import ensure_kernel, read_records

    kernel = ensure_kernel()
    first, whole, inside, launched = [], [], [], []
    for run in range(runs):
        output = scratch / f"incident-triage-{run}.ipynb"
        called = dt.datetime.now(dt.UTC)
        started = time.perf_counter()
        notebook = papermill.execute_notebook(
            str(ROOT / "runbooks" / "incident-triage.ipynb"), str(output), kernel_name=kernel,
            parameters={"data_dir": data_dir, "backend": "local", "start": START, "end": END},
            cwd=str(ROOT), progress_bar=False,
        )  # fmt: skip
        whole.append(time.perf_counter() - started)
        records = read_records(notebook)
        first.append(records["first_findings_s"])
        inside.append(records["triage_s"])
        cell = next(
            c for c in notebook.cells if "first_findings_s" in json.dumps(c.get("outputs", []))
        )
        done = dt.datetime.fromisoformat(cell.metadata.papermill.end_time.replace("Z", "+00:00"))
        launched.append((done - called).total_seconds())
    median = statistics.median(first)
    verdict = "meets" if median < TARGET_S else "MISSES"
    print(f"headless runbook, {runs} runs in fresh kernels (papermill):")
    print(f"  time to first findings (recorded in the runbook, kernel start excluded): "
          f"median {median:.2f} s, range {min(first):.2f}-{max(first):.2f} s: {verdict} the {TARGET_S:.0f} s target")  # fmt: skip
    print(f"  of which the triage call:  median {statistics.median(inside):.2f} s")
    print(
        f"  from the papermill call, kernel start included: median {statistics.median(launched):.2f} s"
    )
    print(
        f"  whole run (kernel start, all cells, SLO burn, timeline chart): median {statistics.median(whole):.2f} s"
    )


if __name__ == "__main__":
    main()
