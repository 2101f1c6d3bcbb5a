"""Evaluate SLOs on CloudWatch data: attainment, budget, burn rates, alerts, burn-down.

Each SLI is fetched through opsbook.metrics or opsbook.logs; then this module computes attainment, budget, burn rates per tier, alert episodes, burn-down and worst hours.

Examples
--------
>>> report = evaluate("data/sample/slos.yaml", "2026-11-15")  # doctest: +SKIP
>>> report.summary()[["name", "attainment", "budget_remaining", "status"]]  # doctest: +SKIP
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from opsbook.errors import ConfigurationError
from opsbook.settings import Settings, resolve
from opsbook.slo import maths
from opsbook.slo.spec import LogsSource, Slo, Source, load_slos

__all__ = ["SloData", "SloReport", "breakdown", "evaluate", "fetch_counts"]

STEP = pd.Timedelta(minutes=1)


@dataclass
class SloData:
    """One SLO's counts over its period (plus the look-back the alert tiers need)."""

    slo: Slo
    start: pd.Timestamp  # period start
    end: pd.Timestamp  # period end (after as_of for a calendar window)
    as_of: pd.Timestamp
    counts: pd.DataFrame  # good/total per row, from start - longest tier to as_of

    @property
    def period(self) -> pd.Timedelta:
        """Return the SLO period's length."""
        return self.end - self.start

    @property
    def step(self) -> pd.Timedelta:
        """Return the row length: a minute, or the time slice."""
        return (
            pd.Timedelta(seconds=self.slo.slice_seconds)
            if self.slo.budgeting == "Timeslices"
            else STEP
        )

    def in_period(self) -> pd.DataFrame:
        """Return the counts from the period start to ``as_of``."""
        return self.counts.loc[(self.counts.index >= self.start) & (self.counts.index < self.as_of)]

    def budget_events(self) -> float:
        """Return the budget in events: (1 - target) × valid events (slices: of the whole period)."""
        if self.slo.budgeting == "Timeslices":
            return self.slo.budget * (self.period / self.step)
        return self.slo.budget * float(self.in_period().total.sum())


@dataclass
class SloReport:
    """Evaluated SLOs at one moment; each method returns a plain DataFrame."""

    data: list[SloData]
    tiers: tuple[maths.Tier, ...] = maths.DEFAULT_TIERS
    max_event_share: float = 0.01
    _alerts: dict[str, pd.DataFrame] = field(default_factory=dict)

    def get(self, name: str) -> SloData:
        """Return one SLO's data by name."""
        for item in self.data:
            if item.slo.name == name:
                return item
        names = ", ".join(d.slo.name for d in self.data)
        raise ConfigurationError(f"no SLO named {name!r} in the spec: choose from {names}")

    def alerts(self, name: str | None = None) -> pd.DataFrame:
        """Return the alert timeline (per minute and tier) of one SLO or all, from the period start."""
        frames = []
        for item in self.data if name is None else [self.get(name)]:
            if item.slo.name not in self._alerts:
                timeline = maths.alert_timeline(
                    item.counts, item.slo.target, item.period, self.tiers
                )
                keep = (timeline.timestamp > item.start) & (timeline.timestamp <= item.as_of)
                self._alerts[item.slo.name] = timeline.loc[keep].assign(slo=item.slo.name)
            frames.append(self._alerts[item.slo.name])
        columns = [
            "slo",
            "timestamp",
            "tier",
            "severity",
            "long_burn",
            "short_burn",
            "threshold",
            "firing",
        ]
        return pd.concat(frames, ignore_index=True)[columns]

    def episodes(self, name: str | None = None) -> pd.DataFrame:
        """Return each span during which a tier fired: slo, tier, severity, start, end, peak burn.

        ``end`` is when the alert stopped firing (NaT while it still fires at ``as_of``).
        """
        rows = []
        for (slo, tier), group in self.alerts(name).groupby(["slo", "tier"], sort=False):
            firing = group.firing.to_numpy()
            starts = group.timestamp.to_numpy()
            run = None
            for index, on in enumerate(firing):
                if on and run is None:
                    run = index
                if run is not None and (not on or index == len(firing) - 1):
                    last = index if not on else None
                    part = group.iloc[run : (index if not on else index + 1)]
                    rows.append(
                        {
                            "slo": slo,
                            "tier": tier,
                            "severity": group.severity.iloc[0],
                            "start": pd.Timestamp(starts[run]) - STEP,
                            "end": pd.Timestamp(starts[last]) - STEP
                            if last is not None
                            else pd.NaT,
                            "minutes": len(part),
                            "peak_burn": float(part.long_burn.max()),
                        }
                    )
                    run = None
        columns = ["slo", "tier", "severity", "start", "end", "minutes", "peak_burn"]
        return pd.DataFrame(rows, columns=columns)

    def summary(self) -> pd.DataFrame:
        """Return one row per SLO: attainment, budget, burn per tier, alert state, exhaustion."""
        rows = []
        for item in self.data:
            slo = item.slo
            counts = item.in_period()
            good, total = float(counts.good.sum()), float(counts.total.sum())
            budget = item.budget_events()
            consumed = (total - good) / budget if budget > 0 and total > 0 else math.nan
            remaining = 1 - consumed
            timeline = self.alerts(slo.name)
            now = timeline.loc[timeline.timestamp == timeline.timestamp.max()].set_index("tier")
            row = {
                "name": slo.name,
                "service": slo.service,
                "target": slo.target,
                "window": f"{slo.window.text} {'rolling' if slo.window.rolling else 'calendar'}",
                "budgeting": slo.budgeting,
                "events": total,
                "bad_events": total - good,
                "attainment": maths.sli(good, total),
                "budget_consumed": consumed,
                "budget_remaining": remaining,
            }
            for tier in maths.derive_thresholds(self.tiers, item.period):
                state = now.loc[tier.name] if tier.name in now.index else None
                row[f"{tier.name}_burn"] = float(state.long_burn) if state is not None else math.nan
                row[f"{tier.name}_threshold"] = tier.threshold
                row[f"{tier.name}_firing"] = bool(state.firing) if state is not None else False
            first = self.tiers[0]
            burn = row[f"{first.name}_burn"]
            left = maths.time_to_exhaustion(remaining, burn, item.period)
            row["exhaustion_in_hours"] = (
                left / pd.Timedelta(hours=1) if left is not None else math.inf
            )
            elapsed = min(item.as_of, item.end) - item.start
            expected = total * (item.period / elapsed) if elapsed > pd.Timedelta(0) else 0.0
            row["bad_event_budget_share"] = maths.low_traffic_share(slo.target, expected)
            row["low_traffic"] = row["bad_event_budget_share"] > self.max_event_share
            row["status"] = _status(row, self.tiers)
            rows.append(row)
        return pd.DataFrame(rows)

    def burn_down(self, name: str | None = None) -> pd.DataFrame:
        """Return the budget remaining over the period, per SLO (slo, timestamp, remaining...)."""
        frames = []
        for item in self.data if name is None else [self.get(name)]:
            counts = item.in_period()
            frame = maths.burn_down(counts, item.slo.target, budget_events=item.budget_events())
            frames.append(frame.assign(slo=item.slo.name))
        return pd.concat(frames, ignore_index=True)

    def worst_offenders(self, top: int = 10, freq: str = "1h") -> pd.DataFrame:
        """Return the hours (or ``freq`` buckets) that consumed the most budget, across SLOs."""
        rows = []
        for item in self.data:
            counts = item.in_period()
            budget = item.budget_events()
            if counts.empty or not budget > 0:
                continue
            buckets = counts.resample(freq).sum()
            bad = buckets.total - buckets.good
            rows.append(
                pd.DataFrame(
                    {
                        "slo": item.slo.name,
                        "start": buckets.index,
                        "bad_events": bad.to_numpy(),
                        "events": buckets.total.to_numpy(),
                        "budget_consumed": (bad / budget).to_numpy(),
                    }
                )
            )
        if not rows:
            return pd.DataFrame(columns=["slo", "start", "bad_events", "events", "budget_consumed"])
        frame = pd.concat(rows, ignore_index=True)
        frame = frame.loc[frame.bad_events > 0]
        return (
            frame.sort_values("budget_consumed", ascending=False).head(top).reset_index(drop=True)
        )

    def sli_series(self, name: str, freq: str = "1h") -> pd.DataFrame:
        """Return one SLO's SLI per ``freq`` bucket over the period (Σgood / Σtotal per bucket)."""
        counts = self.get(name).in_period().resample(freq).sum()
        sli = counts.good / counts.total.where(counts.total > 0)
        return pd.DataFrame(
            {
                "timestamp": counts.index,
                "good": counts.good.to_numpy(),
                "total": counts.total.to_numpy(),
                "sli": sli.to_numpy(),
            }
        )


def _status(row: dict, tiers: Sequence[maths.Tier]) -> str:
    if row["events"] == 0 or math.isnan(row["budget_remaining"]):
        return "no data"
    if any(row[f"{t.name}_firing"] for t in tiers if t.severity == "page"):
        return "page"
    if row["budget_remaining"] <= 0:
        return "exhausted"
    if any(row[f"{t.name}_firing"] for t in tiers):
        return "ticket"
    return "ok"


def evaluate(
    spec: str | Path | Sequence[Slo],
    as_of: str | pd.Timestamp | None = None,
    *,
    names: Sequence[str] = (),
    tiers: Sequence[maths.Tier] = maths.DEFAULT_TIERS,
    max_event_share: float = 0.01,
    settings: Settings | None = None,
) -> SloReport:
    """Fetch and evaluate the SLOs of a spec file (or parsed SLOs) at ``as_of``.

    Parameters
    ----------
    spec
        Path of an OpenSLO YAML file, or SLOs from :func:`opsbook.slo.spec.load_slos`.
    as_of
        The evaluation moment (UTC; default now, rounded down to the minute).
    names
        Only these SLOs (default all).
    tiers
        Multiwindow burn-rate tiers (default the SRE Workbook's three).
    max_event_share
        Warn (``low_traffic``) when one bad event consumes more than this share of the budget.
    settings
        Backend and data location.

    Examples
    --------
    >>> evaluate("data/sample/slos.yaml", "2026-11-15").summary().status.tolist()  # doctest: +SKIP
    ['ok', 'ok', 'ticket']
    """
    settings = settings or resolve()
    slos = load_slos(spec) if isinstance(spec, str | Path) else list(spec)
    if names:
        known = {s.name for s in slos}
        missing = [n for n in names if n not in known]
        if missing:
            raise ConfigurationError(
                f"no SLO named {', '.join(missing)}: choose from {', '.join(sorted(known))}"
            )
        slos = [s for s in slos if s.name in names]
    moment = pd.Timestamp.now(tz="UTC") if as_of in (None, "") else pd.Timestamp(as_of)
    moment = (
        moment.tz_localize("UTC") if moment.tzinfo is None else moment.tz_convert("UTC")
    ).floor("min")
    lookback = max(t.long for t in tiers)
    data = []
    for slo in slos:
        start, end = _period(slo, moment)
        counts = fetch_counts(slo, start - lookback, moment, settings=settings)
        data.append(SloData(slo, start, end, moment, counts))
    return SloReport(data, tuple(tiers), max_event_share)


def _period(slo: Slo, as_of: pd.Timestamp) -> tuple[pd.Timestamp, pd.Timestamp]:
    window = slo.window
    return maths.window_bounds(
        as_of,
        duration=pd.Timedelta(window.duration) if window.duration is not None else None,
        rolling=window.rolling,
        months=window.months,
        anchor=window.start,
        zone=window.zone,
    )


def fetch_counts(
    slo: Slo, start: pd.Timestamp, end: pd.Timestamp, *, settings: Settings | None = None
) -> pd.DataFrame:
    """Return the SLO's good/total counts per minute (or time slice) over ``[start, end)``.

    Examples
    --------
    >>> fetch_counts(slo, "2026-11-14", "2026-11-15").total.sum()  # doctest: +SKIP
    """
    settings = settings or resolve()
    start, end = pd.Timestamp(start), pd.Timestamp(end)
    step = pd.Timedelta(seconds=slo.slice_seconds) if slo.budgeting == "Timeslices" else STEP
    start = start.floor(step)
    if slo.kind == "threshold":
        values = _series(slo.metric, start, end, int(step.total_seconds()), settings, level=True)
        grid = pd.date_range(start, end, freq=step, inclusive="left")
        return maths.slice_counts(values.reindex(grid), slo.op, slo.value)
    if slo.good is not None:
        good = _series(slo.good, start, end, 60, settings)
        total = _series(slo.total, start, end, 60, settings)
    else:
        total = _series(slo.total, start, end, 60, settings)
        good = total.sub(_series(slo.bad, start, end, 60, settings), fill_value=0.0)
    counts = pd.DataFrame({"good": good, "total": total}).fillna(0.0)
    counts = maths.normalise_counts(counts.clip(lower=0.0), start, end)
    if slo.budgeting == "Timeslices":
        return maths.ratio_slices(counts, slo.slice_target, step)
    return counts


def _series(
    source: Source,
    start: pd.Timestamp,
    end: pd.Timestamp,
    period: int,
    settings: Settings,
    *,
    level: bool = False,
) -> pd.Series:
    """Return the source's values per ``period`` over the window.

    Where the backend keeps only coarser data (CloudWatch: 5-minute after 15 days), a count
    stays at its bucket's start (sums over any window of whole buckets are exact), while a
    ``level`` (a threshold SLI's value) is repeated over the bucket's periods.
    """
    if isinstance(source, LogsSource):
        from opsbook import logs

        frame = logs.query(source.query, list(source.log_groups), start, end, settings=settings)
        if frame.empty:
            return pd.Series(dtype=float)
        for column in (source.time_field, source.field):
            if column not in frame.columns:
                raise ConfigurationError(
                    f"the Logs Insights SLI query returned no {column!r} column (it has "
                    f"{', '.join(map(str, frame.columns))}): name its time bin and counts with 'as'"
                )
        times = pd.to_datetime(frame[source.time_field], utc=True).dt.floor(f"{period}s")
        values = pd.to_numeric(frame[source.field], errors="coerce").fillna(0.0)
        return values.groupby(times).sum()
    from opsbook import metrics

    parts = []
    for band_start, band_end, band_period in metrics.retention_bands(
        start, end, period, settings=settings
    ):
        frame = metrics.get(
            dict(source.queries),
            band_start,
            band_end,
            band_period,
            expressions=dict(source.expressions) or None,
            keep_series=bool(source.expressions),
            settings=settings,
        )
        values = frame.loc[frame.id == source.value_id].set_index("timestamp").value.astype(float)
        if level and band_period > period and not values.empty:
            grid = pd.date_range(band_start, band_end, freq=f"{period}s", inclusive="left")
            values = values.reindex(grid, method="ffill", limit=band_period // period - 1)
        parts.append(values.dropna())
    return pd.concat(parts) if parts else pd.Series(dtype=float)


BREAKDOWN_QUERY = "opsbook/breakdown-query"
BREAKDOWN_GROUPS = "opsbook/breakdown-log-groups"


def breakdown(
    data: SloData, *, days: float = 7.0, settings: Settings | None = None
) -> pd.DataFrame:
    """Return the SLO's bad events by dimension from its Logs Insights breakdown query.

    The SLO names the query in its ``opsbook/breakdown-query`` annotation and the log groups
    (comma-separated) in ``opsbook/breakdown-log-groups``. The query runs over the last ``days``
    of the period (Logs Insights bills by the byte scanned). Without the annotations the frame is
    empty and ``attrs["note"]`` says why.

    Examples
    --------
    >>> breakdown(report.get("api-availability"))  # doctest: +SKIP
    """
    text = data.slo.annotations.get(BREAKDOWN_QUERY, "")
    groups = [
        g.strip() for g in data.slo.annotations.get(BREAKDOWN_GROUPS, "").split(",") if g.strip()
    ]
    if not text or not groups:
        frame = pd.DataFrame()
        frame.attrs["note"] = (
            f"{data.slo.name} has no {BREAKDOWN_QUERY} / {BREAKDOWN_GROUPS} annotations: add a Logs "
            "Insights query that counts bad events by dimension to break them down"
        )
        return frame
    from opsbook import logs

    end = min(data.as_of, data.end)
    start = max(data.start, end - pd.Timedelta(days=days))
    return logs.query(text, groups, start, end, settings=settings or resolve())
