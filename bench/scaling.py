"""Benchmark: the cost curve, time and peak memory as the data grows, with the fitted exponent.

* CUR: the monthly review (``bench/cur_query.py``'s four queries over the last two closed months)
  through opsbook and hand-written DuckDB, on 12-month CUR 2.0 exports of about ``--cur-rows``
  million rows each (default ``10,50``; ``10,50,200`` is the full curve), or on exports already
  written (``--cur-data``). An export is a 2.6 million-row generated base copied: the two months
  the review reads are rewritten with distinct line item and resource ids per copy, the other
  ten are hard links (~2 min for 50 M rows, ~16 min for 200 M on a loaded 2-core machine, ~1.2
  GB of Parquet per 10 M rows read). The size is the rows of the two months read;
* Logs Insights: the three queries of ``bench/logs_local.py`` over ``--events`` million events
  (default ``10,50``; ``10,50,100`` for the full curve), opsbook and hand-written DuckDB, each
  query in its own process (a curve each), then the three together (times added, the largest
  peak).

Data is kept under ``.bench/`` for the project's next run (delete it to free the disk). Each size
runs in ``--processes`` fresh processes (each one's peak RSS, VmHWM, is its own and varies by
±15 MB at 200 M CUR rows: medians of the processes' peaks and times), each running the workload
``--runs`` times (medians), timed in wall and CPU seconds (user + sys of every thread: the ratio
to trust on a shared machine). The fitted exponent ``k`` is the slope of log(time) on log(size)
(time ∝ size^k); memory is compared as largest over smallest. Targets: k ≤ 1.05 and memory
≤ 1.2× from the smallest to the largest.

    python bench/scaling.py [--cur-rows 10,50 | --cur-data DIR,DIR] [--events 10,50] [--runs 3] [--processes 3] [--memory-limit 256MB] [--skip-cur] [--skip-logs]
"""

from __future__ import annotations

import argparse
import datetime as dt
import multiprocessing
import os
import statistics
import time
from pathlib import Path

import numpy as np
from timing import in_fresh_process  # bench/timing.py: scripts run from bench/


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


def _logs_worker(way: str, path: str, runs: int, name: str, queue) -> None:
    import duckdb
    import logs_local  # bench/logs_local.py
    from opsbook.backends.local import logs as local_logs
    from opsbook.settings import resolve

    settings, con, timings, cpu = resolve(), duckdb.connect(), [], []
    insights, sql = logs_local.QUERIES[name]
    for _ in range(runs):
        began, cpu_began = time.perf_counter(), time.process_time()
        if way == "opsbook":
            local_logs.query(settings, insights, [], *logs_local.WINDOW, limit=10_000, sources=[path])  # fmt: skip
        else:
            values = {"path": path, "start": logs_local.WINDOW[0], "end": logs_local.WINDOW[1]}
            con.execute(sql, values).fetchall()
        timings.append(time.perf_counter() - began)
        cpu.append(time.process_time() - cpu_began)  # every thread's user + sys
    queue.put({"median_s": statistics.median(timings), "cpu_s": statistics.median(cpu),
               "peak_mb": _peak_mb(), "bytes": Path(path).stat().st_size})  # fmt: skip


def _measured(processes: int, target, *args: object) -> dict:
    """Run ``target`` in ``processes`` fresh processes: the medians of their times and peaks."""
    results = [in_fresh_process(target, *args) for _ in range(processes)]
    medians = {key: statistics.median(r[key] for r in results)
               for key in ("median_s", "cpu_s", "peak_mb")}  # fmt: skip
    return {**results[0], **medians}


def _together(points: list[dict]) -> dict:
    """The queries one after another: their times added, the largest of their peaks."""
    return {"median_s": sum(p["median_s"] for p in points), "cpu_s": sum(p["cpu_s"] for p in points),
            "peak_mb": max(p["peak_mb"] for p in points), "bytes": points[0]["bytes"]}  # fmt: skip


#: Where generated data is kept, wherever the script is run from (opsbook reads it by full path).
BENCH_DATA = Path(__file__).resolve().parent.parent / ".bench"
#: The export every size copies: 12 billing periods of about 2.6 million rows, ~40 s to generate.
BASE_SCALE = 3.9
#: Columns made distinct in each copy, so group-bys by line item or resource grow with the data.
DISTINCT = ("identity_line_item_id", "line_item_resource_id")


def _base_export() -> Path:
    from cur_query import AS_OF
    from opsbook.sample.cur import write_cur
    from opsbook.sample.org import timeline

    folder = BENCH_DATA / f"cur-12m-x{BASE_SCALE:g}"
    marker = folder / "rows.txt"
    if not marker.is_file():
        began = time.perf_counter()
        facts = write_cur(folder, timeline(AS_OF), scale=BASE_SCALE, seed=7, closed_months=11)
        marker.write_text(str(facts["rows"]))
        print(
            f"  generated the base export, {facts['rows']:,} rows in {time.perf_counter() - began:.0f} s"
        )
    return folder


def _copy(table, number: int):
    """Return copy ``number`` of ``table``: line item and resource ids suffixed (empty ids stay)."""
    import pyarrow.compute as pc

    for name in DISTINCT if number else ():
        column = table[name]
        tagged = pc.binary_join_element_wise(column, f"-copy{number}", "")
        index = table.schema.get_field_index(name)
        table = table.set_column(index, name, pc.if_else(pc.equal(column, ""), column, tagged))
    return table


def _replicate_period(base: str, out: str, copies: int, distinct: bool) -> int:
    """Write ``copies`` copies of one billing period of the base export under ``out``, and its
    manifest, in the layout Data Exports writes.

    ``distinct``: rewritten as AWS does, in files of at most ``ROWS_PER_FILE`` rows named
    ``<export>-0000N.snappy.parquet``, each copy with its own line item and resource ids;
    otherwise each copy is a hard link to the base file (same rows again, nothing written).
    """
    import json
    import os

    import pyarrow as pa
    import pyarrow.parquet as pq
    from opsbook.sample.cur import CUR2_SCHEMA, ROWS_PER_FILE
    from opsbook.sample.cur.writer import PeriodWriter

    source, target = Path(base), Path(out)
    paths = sorted(source.glob("*.parquet"))
    if distinct:
        table = pa.concat_tables([pq.ParquetFile(path).read() for path in paths]).cast(CUR2_SCHEMA)
        writer = PeriodWriter(target, ROWS_PER_FILE)
        for number in range(copies):
            writer.write(_copy(table, number))  # one row group per copy, as the generator's chunks
        writer.close()
        written, rows = writer.paths, writer.rows
    else:
        target.mkdir(parents=True, exist_ok=True)
        export = paths[0].name.rsplit("-", 1)[0]
        written = [
            target / f"{export}-{n + 1:05d}.snappy.parquet" for n in range(copies * len(paths))
        ]
        for link, path in zip(written, paths * copies, strict=True):
            os.link(path, link)
        rows = copies * sum(pq.ParquetFile(path).metadata.num_rows for path in paths)
    source_manifest = next(Path(base.replace("/data/", "/metadata/")).glob("*-Manifest.json"))
    manifest = json.loads(source_manifest.read_text())
    prefix = manifest["dataFiles"][0].rsplit("/", 1)[0]
    manifest.update(dataFiles=[f"{prefix}/{p.name}" for p in written], totalRowCount=rows)
    folder = Path(out.replace("/data/", "/metadata/"))
    folder.mkdir(parents=True, exist_ok=True)
    (folder / source_manifest.name).write_text(json.dumps(manifest, indent=2))
    return rows


def _cur_export(millions: float) -> Path:
    """A 12-month CUR 2.0 export of about ``millions`` million rows: the base export copied.

    Generating 50 million rows with the sample generator takes about an hour on 2 cores, so the
    base export (2.6 million rows) is copied instead: the two billing periods the review reads
    are rewritten with distinct line item and resource ids in each copy (the data grows in
    distinct resources, not in duplicate rows), the ten it never opens are hard links to the
    base files (they cost the review a folder listing, nothing more).
    """
    from cur_query import MONTHS

    base = _base_export()
    copies = max(1, round(millions * 1e6 / int((base / "rows.txt").read_text())))
    folder = BENCH_DATA / f"cur-12m-{millions:g}m"
    marker = folder / "rows.txt"
    if not marker.is_file():
        began = time.perf_counter()
        periods = sorted((base / "cur").glob("*/data/BILLING_PERIOD=*"))
        jobs = [(str(p), str(folder / p.relative_to(base)), copies,
                 p.name.split("=")[1] in MONTHS) for p in periods]  # fmt: skip
        with multiprocessing.get_context("spawn").Pool(2) as pool:
            rows = sum(pool.starmap(_replicate_period, jobs, chunksize=1))
        marker.write_text(str(rows))
        print(
            f"  copied the base export {copies}x: {rows:,} rows in {time.perf_counter() - began:.0f} s"
        )
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
    """Print each size's medians (wall and CPU seconds, peak MB, MB read), then k and the memory ratio."""
    print(f"\n{title}")
    print(f"{unit:>12}{'read MB':>9}{'Athena $':>9}{'ops s':>8}{'ops cpu':>8}{'duck s':>8}"
          f"{'duck cpu':>9}{'ratio':>7}{'cpu ratio':>10}{'ops MB':>8}{'duck MB':>8}")  # fmt: skip
    for size, ours, hand in points:
        read = ours.get("bytes") or hand.get("bytes") or 0
        print(
            f"{size:>12,.0f}{read / 2**20:>9,.0f}{ours.get('cost_usd', float('nan')):>9.4f}"
            f"{ours['median_s']:>8.2f}{ours['cpu_s']:>8.2f}{hand['median_s']:>8.2f}{hand['cpu_s']:>9.2f}"
            f"{ours['median_s'] / hand['median_s']:>7.2f}{ours['cpu_s'] / hand['cpu_s']:>10.2f}"
            f"{ours['peak_mb']:>8.0f}{hand['peak_mb']:>8.0f}"
        )
    sizes = [p[0] for p in points]
    for way, index in (("opsbook", 1), ("duckdb", 2)):
        wall, cpu = ([p[index][key] for p in points] for key in ("median_s", "cpu_s"))
        memory = [p[index]["peak_mb"] for p in points]
        print(
            f"  {way}: time ∝ size^{_fit(sizes, wall):.2f} wall, ^{_fit(sizes, cpu):.2f} CPU "
            f"(target ≤ 1.05); peak memory {memory[-1] / memory[0]:.2f}x smallest to largest "
            f"(target ≤ 1.2), {max(memory):,.0f} MB at most"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cur-rows", default="10,50", help="millions of CUR rows, comma-separated")
    parser.add_argument("--events", default="10,50", help="millions of log events, comma-separated")
    parser.add_argument("--cur-data", help="existing CUR exports holding 2026-09 and 2026-10 "
                        "(e.g. bench/opportunities.py's), comma-separated, instead of generating")  # fmt: skip
    parser.add_argument("--runs", type=int, default=3, help="runs of the workload in a process")
    parser.add_argument("--processes", type=int, default=1, help="fresh processes per size and "
                        "way: medians of their times and peak memory (a process's peak varies)")  # fmt: skip
    parser.add_argument("--memory-limit", help="opsbook's local_memory_limit for the CUR review "
                        "(default: the setting's own, 50%% of the machine's memory)")  # fmt: skip
    parser.add_argument("--skip-cur", action="store_true")
    parser.add_argument("--skip-logs", action="store_true")
    args = parser.parse_args()
    print(f"{dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC, medians of {args.runs} runs in a process, "
          f"of {args.processes} process(es) per size")  # fmt: skip
    if args.memory_limit:  # the workers resolve their settings from the environment
        os.environ["OPSBOOK_LOCAL_MEMORY_LIMIT"] = args.memory_limit
        print(f"opsbook's local_memory_limit: {args.memory_limit}")
    if not args.skip_cur:
        points = []
        folders = ([Path(f) for f in args.cur_data.split(",")] if args.cur_data else
                   [_cur_export(float(m)) for m in args.cur_rows.split(",")])  # fmt: skip
        for folder in folders:
            rows = _rows_read(folder)
            ours = _measured(args.processes, _cur_worker, "opsbook", str(folder), args.runs)
            hand = _measured(args.processes, _cur_worker, "duckdb", str(folder), args.runs)
            points.append((rows, ours, hand))
        _curve("CUR monthly review (4 queries, last two closed months)", "rows read", points)
    if not args.skip_logs:
        import logs_local

        curves: dict[str, list[tuple[float, dict, dict]]] = {
            name: [] for name in logs_local.QUERIES
        }
        for millions in (float(m) for m in args.events.split(",")):
            path = BENCH_DATA / f"events-{millions:g}m.parquet"  # kept for the next run
            if not path.is_file():
                began = time.perf_counter()
                path.parent.mkdir(exist_ok=True)
                logs_local.generate(path.with_suffix(".tmp"), int(millions * 1e6))
                path.with_suffix(".tmp").rename(path)  # an interrupted run leaves no part file
                print(
                    f"  generated {millions:g} million events in {time.perf_counter() - began:.0f} s"
                )
            for name, points in curves.items():  # each query in its own process: its own peak
                ours = _measured(
                    args.processes, _logs_worker, "opsbook", str(path), args.runs, name
                )
                hand = _measured(args.processes, _logs_worker, "duckdb", str(path), args.runs, name)
                points.append((millions * 1e6, ours, hand))
        for name, points in curves.items():
            _curve(f"Logs Insights: {name} (read MB: the whole file)", "events", points)
        together = [
            (size, _together([c[i][1] for c in curves.values()]),
             _together([c[i][2] for c in curves.values()]))
            for i, size in enumerate(p[0] for p in next(iter(curves.values())))
        ]  # fmt: skip
        _curve("Logs Insights: the 3 queries (times added, the largest peak)", "events", together)


if __name__ == "__main__":
    main()
