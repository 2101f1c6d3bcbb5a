"""Benchmark: wall time of report suites with --jobs 1 vs --jobs 2, and kernel start-up overhead.

Runs each suite on the sample organisation (generated into .bench/ if absent) a few times and
prints medians (the runs of --jobs 1 and --jobs 2 alternate); the kernel overhead is an empty
notebook executed the same way. Targets: the daily suite in under 60 s on 2 cores, and the monthly
suite at least 1.6x faster with --jobs 2 than with --jobs 1.
Usage: ``python bench/report_suite.py [--suites daily monthly] [--runs 3]``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import functools
import statistics
import tempfile
from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_notebook
from opsbook.runner import execute_notebook, run_suite
from opsbook.sample import FACTS_FILE, generate
from opsbook.settings import resolve
from timing import median_seconds  # bench/timing.py: scripts run from bench/


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--suites", nargs="+", default=["daily", "monthly"])
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    sample = Path(__file__).resolve().parents[1] / ".bench" / "sample-x1"  # kernels run elsewhere
    if not (sample / FACTS_FILE).is_file():
        generate(sample, as_of=dt.date(2026, 11, 15))
    with tempfile.TemporaryDirectory() as out:
        settings = resolve(data_dir=str(sample), output_dir=out)
        empty = Path(out) / "empty.ipynb"
        notebook = new_notebook(cells=[new_code_cell("1")])
        notebook.metadata["kernelspec"] = {"name": "opsbook", "display_name": "opsbook"}
        nbformat.write(notebook, empty)
        kernel = median_seconds(
            lambda: execute_notebook(empty, Path(out) / "empty-out.ipynb"), args.runs
        )
        print(f"kernel start + one cell + HTML export: median {kernel:5.2f} s")
        for suite in args.suites:
            # --jobs 1 and --jobs 2 alternate, so that both see the same load on a shared machine
            samples: dict[int, list[float]] = {1: [], 2: []}
            for _ in range(args.runs):
                for jobs in samples:
                    samples[jobs].append(median_seconds(
                        functools.partial(run_suite, suite, jobs=jobs, settings=settings), 1))  # fmt: skip
            one, two = (statistics.median(samples[jobs]) for jobs in (1, 2))
            print(f"{suite:>8} --jobs 1: median {one:6.2f} s   --jobs 2: median {two:6.2f} s   "
                  f"speed-up {one / two:.2f}x (medians of {args.runs})")  # fmt: skip


if __name__ == "__main__":
    main()
