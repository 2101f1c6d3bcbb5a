"""Benchmark: SLO evaluation on the sample org vs the plain per-source, per-minute-loop path.

``review_slos(<sample slos.yaml>, "2026-11-15")`` then ``summary()`` and ``episodes()``, as the SLO
report notebook calls them, timed against the straightforward computation it replaced:

- reads: opsbook reads every SLO's metric series in one request per period (the local backend
  scans its files once per request); plain: one ``metrics.get`` per source and SLO, each over
  that SLO's own window (5 requests on the sample);
- episodes: opsbook finds firing runs with numpy edges; plain: a Python loop over every minute
  of the alert timeline (30 days x 3 tiers x 3 SLOs);
- burn rates: ``maths.alert_timeline`` (trailing sums from cumulative sums) against
  ``DataFrame.rolling(window).sum()`` per tier and window.

Both paths' results are compared (they must be equal) before anything is timed. With
``--runs N`` the SLO notebooks are also executed headless by papermill N times each, each time
with an empty ``cache_dir`` (cold) and again over it (warm); the cells' time is printed.

Usage: python bench/slo_evaluate.py [--data-dir DIR] [--repeat 3] [--runs 0]
(without --data-dir, the pinned sample is generated into a temporary folder first)
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd
from opsbook import metrics
from opsbook.settings import Settings, resolve
from opsbook.slo import maths
from opsbook.slo.evaluate import SloData, SloReport, review_slos
from opsbook.slo.spec import Slo, load_slos
from timing import median_seconds, pinned_sample  # bench/timing.py: scripts run from bench/

AS_OF = "2026-11-15"
ROOT = Path(__file__).resolve().parents[1]
STEP = pd.Timedelta(minutes=1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", default="")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--runs", type=int, default=0, help="headless runs of each SLO notebook")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="opsbook-bench-") as scratch:
        data_dir = args.data_dir or pinned_sample(Path(scratch))
        settings = resolve(backend="local", data_dir=data_dir)
        _in_process(Path(data_dir) / "slos.yaml", settings, args.repeat)
        if args.runs:
            _headless(data_dir, args.runs, Path(scratch))


def plain_evaluate(spec: Path, settings: Settings) -> SloReport:
    """Return the report as before: one metrics request per source and SLO, over its own window.

    The sample's SLOs have rolling windows: the period is the ``duration`` up to ``as_of``.
    """
    moment = pd.Timestamp(AS_OF, tz="UTC")
    lookback = max(t.long for t in maths.DEFAULT_TIERS)
    data = []
    for slo in load_slos(spec):
        duration = pd.Timedelta(slo.window.duration)
        start = moment - duration
        data.append(
            SloData(
                slo, start, moment, moment, _plain_counts(slo, start - lookback, moment, settings)
            )
        )
    return SloReport(data)  # fmt: skip


def _plain_counts(
    slo: Slo, start: pd.Timestamp, end: pd.Timestamp, settings: Settings
) -> pd.DataFrame:
    step = pd.Timedelta(seconds=slo.slice_seconds) if slo.budgeting == "Timeslices" else STEP
    start = start.floor(step)
    if slo.kind == "threshold":
        values = _plain_series(slo.metric, start, end, int(step.total_seconds()), settings)
        grid = pd.date_range(start, end, freq=step, inclusive="left")
        return maths.slice_counts(values.reindex(grid), slo.op, slo.value)
    if slo.good is not None:
        good = _plain_series(slo.good, start, end, 60, settings)
        total = _plain_series(slo.total, start, end, 60, settings)
    else:
        total = _plain_series(slo.total, start, end, 60, settings)
        good = total.sub(_plain_series(slo.bad, start, end, 60, settings), fill_value=0.0)
    counts = pd.DataFrame({"good": good, "total": total}).fillna(0.0)
    counts = maths.normalise_counts(counts.clip(lower=0.0), start, end)
    if slo.budgeting == "Timeslices":
        return maths.ratio_slices(counts, slo.slice_target, step)
    return counts


def _plain_series(
    source: object, start: pd.Timestamp, end: pd.Timestamp, period: int, settings: Settings
) -> pd.Series:
    parts = []
    for band_start, band_end, band_period in metrics.retention_bands(
        start, end, period, settings=settings
    ):  # one band on the local backend
        frame = metrics.get(
            dict(source.queries), band_start, band_end, band_period, settings=settings
        )
        parts.append(frame.loc[frame.id == source.value_id].set_index("timestamp").value.astype(float).dropna())  # fmt: skip
    return pd.concat(parts)


def plain_episodes(alerts: pd.DataFrame) -> pd.DataFrame:
    """Return the firing spans by walking every minute of each tier's timeline in Python."""
    rows = []
    for (slo, tier), group in alerts.groupby(["slo", "tier"], sort=False):
        firing, starts, run = group.firing.to_numpy(), group.timestamp.to_numpy(), None
        for index, on in enumerate(firing):
            if on and run is None:
                run = index
            if run is not None and (not on or index == len(firing) - 1):
                part = group.iloc[run : (index if not on else index + 1)]
                rows.append({"slo": slo, "tier": tier, "severity": group.severity.iloc[0],
                             "start": pd.Timestamp(starts[run]) - STEP,
                             "end": pd.Timestamp(starts[index]) - STEP if not on else pd.NaT,
                             "minutes": len(part), "peak_burn": float(part.long_burn.max())})  # fmt: skip
                run = None
    return pd.DataFrame(rows)


def plain_timeline(counts: pd.DataFrame, target: float, period: pd.Timedelta) -> pd.DataFrame:
    """Return the alert timeline with ``DataFrame.rolling`` sums per tier and window."""
    bad = (counts.total - counts.good).to_frame("bad").assign(total=counts.total)
    parts = []
    for tier in maths.derive_thresholds(maths.DEFAULT_TIERS, period):
        burns = []
        for window in (tier.long, tier.short):
            sums = bad.rolling(int(window / STEP), min_periods=1).sum()
            burns.append((sums.bad / sums.total.where(sums.total > 0)) / (1 - target))
        firing = (burns[0] > tier.threshold) & (burns[1] > tier.threshold)
        parts.append(pd.DataFrame({"timestamp": counts.index + STEP, "tier": tier.name,
                                   "long_burn": burns[0].to_numpy(), "short_burn": burns[1].to_numpy(),
                                   "firing": firing.to_numpy()}))  # fmt: skip
    return pd.concat(parts, ignore_index=True)


def _check_equal(report: SloReport, plain: SloReport) -> None:
    for ours, theirs in zip(report.data, plain.data, strict=True):
        pd.testing.assert_frame_equal(ours.counts, theirs.counts, check_exact=True)
    pd.testing.assert_frame_equal(report.summary(), plain.summary(), check_exact=True)
    episodes, loop = report.episodes(), plain_episodes(report.alerts())
    pd.testing.assert_frame_equal(episodes.drop(columns="end"), loop.drop(columns="end"))
    assert (episodes.end.isna() == loop.end.isna()).all()
    assert (episodes.end.dropna().to_numpy() == loop.end.dropna().to_numpy()).all()
    item = report.data[0]
    ours = maths.alert_timeline(item.counts, item.slo.target, item.period)
    theirs = plain_timeline(item.counts, item.slo.target, item.period)
    assert (ours.firing.to_numpy() == theirs.firing.to_numpy()).all()
    np.testing.assert_allclose(ours.long_burn, theirs.long_burn, rtol=1e-6, atol=1e-9)
    print("results: identical (counts, summary, episodes; timeline firing, burns within 1e-6)")


def _in_process(spec: Path, settings: Settings, repeat: int) -> None:
    report, plain = review_slos(spec, AS_OF, settings=settings), plain_evaluate(spec, settings)
    _check_equal(report, plain)

    def ours() -> None:
        fresh = review_slos(spec, AS_OF, settings=settings)
        fresh.summary(), fresh.episodes()

    def theirs() -> None:
        fresh = plain_evaluate(spec, settings)
        fresh.summary(), plain_episodes(fresh.alerts())

    item = report.data[0]
    rows = [
        ("evaluate + summary + episodes", ours, theirs),
        ("  reads (review_slos alone)", lambda: review_slos(spec, AS_OF, settings=settings),
         lambda: plain_evaluate(spec, settings)),
        ("  episodes (alerts cached)", report.episodes, lambda: plain_episodes(report.alerts())),
        (f"  alert timeline ({item.slo.name})",
         lambda: maths.alert_timeline(item.counts, item.slo.target, item.period),
         lambda: plain_timeline(item.counts, item.slo.target, item.period)),
    ]  # fmt: skip
    print(f"medians over {repeat} runs, sample org as of {AS_OF}, local backend:")
    for label, fast, slow in rows:
        cpu = median_seconds(
            fast, repeat, clock=time.process_time
        )  # the machine is shared: CPU time (all threads) too
        t_ours, t_plain = median_seconds(fast, repeat), median_seconds(slow, repeat)
        print(f"{label:34s} opsbook {t_ours:7.3f} s (CPU {cpu:6.3f} s)   plain {t_plain:7.3f} s   "
              f"(plain / opsbook = {t_plain / t_ours:.1f}x)")  # fmt: skip


def _headless(data_dir: str, runs: int, scratch: Path) -> None:
    """Run each SLO notebook ``runs`` times cold (empty ``cache_dir``) then warm (its second run).

    Cell time is the sum of the cells' durations papermill records (kernel start left out).
    """
    import json
    import os

    import papermill
    from opsbook.runner import ensure_kernel

    kernel = ensure_kernel()
    for name in ("slo-report", "slo-detail"):
        times: dict[str, list[float]] = {"cold": [], "warm": []}
        walls = []
        for run in range(runs):
            cache = scratch / f"cache-{name}-{run}"  # a new, empty cache_dir for each cold run
            os.environ["OPSBOOK_CACHE_DIR"] = str(cache)
            for state in ("cold", "warm"):
                output = scratch / f"{name}-{run}-{state}.ipynb"
                started = time.perf_counter()
                papermill.execute_notebook(
                    str(ROOT / "notebooks" / "slo" / f"{name}.ipynb"), str(output),
                    kernel_name=kernel, parameters={"data_dir": data_dir, "as_of": AS_OF},
                    cwd=str(ROOT), progress_bar=False,
                )  # fmt: skip
                walls.append(time.perf_counter() - started)
                cells = json.loads(output.read_text())["cells"]
                times[state].append(
                    sum(c["metadata"].get("papermill", {}).get("duration") or 0.0 for c in cells)
                )
        os.environ.pop("OPSBOOK_CACHE_DIR", None)
        print(f"headless {name}.ipynb over {runs} run(s), medians: cell time cold "
              f"{statistics.median(times['cold']):.2f} s, warm {statistics.median(times['warm']):.2f} s; "
              f"papermill wall (kernel start included) {statistics.median(walls):.1f} s")  # fmt: skip


if __name__ == "__main__":
    main()
