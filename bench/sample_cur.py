"""Benchmark the CUR 2.0 sample generator: rows, seconds, rows/s and peak RSS.

Usage: python bench/sample_cur.py --scale 25 [--as-of 2026-11-15] [--seed 7] [--keep DIR]
"""

from __future__ import annotations

import argparse
import datetime as dt
import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path

from opsbook.sample.cur import write_cur
from opsbook.sample.org import timeline


def _peak_rss_mib() -> float:
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    # ru_maxrss is KiB on Linux and bytes on macOS.
    return peak / 2**20 if sys.platform == "darwin" else peak / 2**10


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--as-of", type=dt.date.fromisoformat, default=dt.date(2026, 11, 15))
    parser.add_argument("--keep", type=Path, help="write here instead of a temporary folder")
    args = parser.parse_args(argv)

    root = args.keep or Path(tempfile.mkdtemp(prefix="bench-cur-"))
    baseline = _peak_rss_mib()
    started = time.perf_counter()
    try:
        facts = write_cur(root, timeline(args.as_of), scale=args.scale, seed=args.seed)
        seconds = time.perf_counter() - started
        size = sum(p.stat().st_size for p in (root / "cur").rglob("*.parquet"))
    finally:
        if args.keep is None:
            shutil.rmtree(root, ignore_errors=True)
    rows = facts["rows"]
    print(f"scale          {args.scale:g}")
    print(f"rows           {rows:,}")
    print(f"files          {facts['files']}")
    print(f"parquet size   {size / 2**20:,.1f} MiB ({size / rows:.1f} bytes/row)")
    print(f"seconds        {seconds:.2f}")
    print(f"rows/s         {rows / seconds:,.0f}")
    print(f"peak RSS       {_peak_rss_mib():,.0f} MiB (after imports: {baseline:,.0f} MiB)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
