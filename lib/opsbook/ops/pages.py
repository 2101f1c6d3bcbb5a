"""SLO page alerts around deployments: the second signal of the change failure rate.

A deployment fails when an alarm of its service enters ALARM *or* an SLO of its service starts
paging within the window after it. Evaluating SLOs over a whole period is slow, so this module
evaluates only what that question needs:

- only the SLOs of services that deployed (``slo.service`` when it is a deployed service, else a
  deployed service named in the SLI's metric dimensions or log groups, e.g. the Lambda function
  ``catalog-api-handler`` of the ``catalog-api`` SLO; ``slo_services`` overrides);
- only the page tiers (by default the SRE Workbook's 1h/5m and 6h/30m), over each deployment's
  window plus the longest page tier's long window before it (so the burn at the deployment is
  computed on full windows); overlapping spans of one SLO are fetched once.

A page "follows" a deployment when it *starts* firing inside the window; one already firing at
the deployment does not count. When the signal cannot run (no spec, no SLI data, a backend
error) the status table says so and the change failure rate comes from alarms alone.

Examples
--------
>>> signal = read_slo_pages(deployments, window=60)  # doctest: +SKIP
>>> signal.pages[["slo", "service", "tier", "started"]]  # doctest: +SKIP
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from opsbook._docs import shared_params
from opsbook.errors import OpsbookError
from opsbook.settings import Settings, resolve
from opsbook.slo import maths
from opsbook.slo.evaluate import SloData, SloReport, fetch_counts, period_bounds
from opsbook.slo.spec import LogsSource, MetricSource, Slo, load_slos

__all__ = [
    "PAGE_COLUMNS",
    "STATUS_COLUMNS",
    "SloSignal",
    "find_page_starts",
    "read_slo_pages",
    "slo_service",
    "spans_around",
]

PAGE_COLUMNS = {
    "slo": "string",
    "account_id": "string",
    "service": "string",
    "tier": "string",
    "started": "datetime64[ms, UTC]",
    "ended": "datetime64[ms, UTC]",
}
STATUS_COLUMNS = ["slo", "service", "status", "spans", "pages", "note"]


@dataclass
class SloSignal:
    """SLO page starts near deployments, and whether the signal could be evaluated.

    ``available`` is false when no SLO could be evaluated (no spec, no SLI data, errors);
    ``note`` says why, for the notebook. ``status`` has one row per SLO of the spec.
    """

    pages: pd.DataFrame
    status: pd.DataFrame
    available: bool
    note: str

    @classmethod
    def unavailable(cls, note: str) -> SloSignal:
        """Return a signal that could not run, and why."""
        return cls(_empty_pages(), _status([]), False, note)


def _empty_pages() -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype=t) for c, t in PAGE_COLUMNS.items()})


def _named_by_source(slo: Slo) -> list[str]:
    """Values that may name the deployed thing: metric dimension values, log group leaf names."""
    names: list[str] = []
    for source in (slo.good, slo.bad, slo.total, slo.metric):
        if isinstance(source, MetricSource):
            names += [value for m in source.metric_dicts() for _, value in m["dimensions"]]
        elif isinstance(source, LogsSource):
            names += [group.rsplit("/", 1)[-1] for group in source.log_groups]
    return names


def slo_service(slo: Slo, deployed: Iterable[str], overrides: Mapping[str, str]) -> str | None:
    """Return the deployed service an SLO watches, or ``None`` when it watches none that deployed.

    Examples
    --------
    >>> from opsbook.slo.spec import parse_slos, EXAMPLE
    >>> slo = parse_slos(EXAMPLE)[0]
    >>> slo_service(slo, [slo.service], {})  == slo.service
    True
    """
    known = set(deployed)
    if slo.name in overrides:
        return overrides[slo.name] if overrides[slo.name] in known else None
    if slo.service in known:
        return slo.service
    return next((name for name in _named_by_source(slo) if name in known), None)


def spans_around(
    times: Sequence[pd.Timestamp], before: pd.Timedelta, after: pd.Timedelta
) -> list[tuple[pd.Timestamp, pd.Timestamp]]:
    """Return ``[t - before, t + after]`` around each time merged into disjoint spans, oldest first.

    Ends are widened to whole minutes (the SLI rows); an end is exclusive, so it gets one more.

    Examples
    --------
    >>> at = pd.to_datetime(["2026-11-14 10:00", "2026-11-14 12:00"], utc=True)
    >>> [(lo.hour, hi.hour) for lo, hi in spans_around(at, pd.Timedelta("6h"), pd.Timedelta("1h"))]
    [(4, 13)]
    """
    out: list[list[pd.Timestamp]] = []
    for at in sorted(times):
        lo, hi = (at - before).floor("min"), (at + after).ceil("min") + pd.Timedelta(minutes=1)
        if out and lo <= out[-1][1]:
            out[-1][1] = max(out[-1][1], hi)
        else:
            out.append([lo, hi])
    return [(lo, hi) for lo, hi in out]


def find_page_starts(
    slo: Slo, counts: pd.DataFrame, as_of: pd.Timestamp, tiers: Sequence[maths.Tier]
) -> pd.DataFrame:
    """Return the page episodes (``tier``, ``started``, ``ended``) in SLI ``counts`` up to ``as_of``.

    The thresholds come from the SLO's period at ``as_of``, as :func:`opsbook.slo.evaluate.review_slos`
    derives them; the episodes are :meth:`opsbook.slo.evaluate.SloReport.episodes` of the page tiers.

    Examples
    --------
    >>> find_page_starts(slo, counts, pd.Timestamp("2026-11-14 15:00", tz="UTC"), tiers)  # doctest: +SKIP
    """
    start, end = period_bounds(slo, as_of)
    report = SloReport([SloData(slo, start, end, as_of, counts)], tuple(tiers))
    episodes = report.episodes()
    return pd.DataFrame(
        {
            "tier": episodes["tier"],
            "started": episodes["start"],
            "ended": episodes["end"],
        }
    )


@shared_params
def read_slo_pages(
    deployments: pd.DataFrame,
    *,
    window: float,
    spec: str | Path | Sequence[Slo] | None = None,
    slo_services: Mapping[str, str] | None = None,
    slo_account: str = "",
    tiers: Sequence[maths.Tier] = maths.DEFAULT_TIERS,
    settings: Settings | None = None,
) -> SloSignal:
    """Return the SLO page episodes that may follow ``deployments`` within ``window`` minutes.

    Parameters
    ----------
    deployments
        From :func:`opsbook.ops.deployments.read_deployments` (``deployed_at``, ``service``).
    window
        Minutes after each deployment to look for a page start.
    spec
        OpenSLO YAML file or parsed SLOs; ``None``: ``slos.yaml`` in the settings' data folder.
    slo_services
        ``{SLO name: deployed service}`` overrides of the matching.
    slo_account
        The account whose data the SLIs measure: only its deployments are matched. Empty: the
        deployments of the service in any account.
    tiers
        Burn-rate tiers; only those of severity ``page`` are evaluated.

    Returns
    -------
    SloSignal
        ``pages``: ``slo``, ``account_id`` (``slo_account`` or missing), ``service``, ``tier``,
        ``started``, ``ended`` (missing while it fires at the end of the evaluated span);
        ``status`` per SLO; ``available`` and ``note``.

    Examples
    --------
    >>> read_slo_pages(deployments, window=60).status  # doctest: +SKIP
    """
    settings = settings or resolve()
    page_tiers = [t for t in tiers if t.severity == "page"]
    if not page_tiers:
        return SloSignal.unavailable("no page tier among the SLO tiers")
    try:
        if spec is None:
            spec = Path(settings.data_dir) / "slos.yaml"
        slos = load_slos(spec) if isinstance(spec, str | Path) else list(spec)
    except OpsbookError as error:
        return SloSignal.unavailable(str(error))
    if slo_account:
        deployments = deployments[deployments["account_id"] == slo_account]
    services = deployments["service"].astype("string").fillna("")
    before = max(t.long for t in page_tiers)
    after = pd.Timedelta(minutes=window)
    found, rows = [], []
    for slo in slos:
        service = slo_service(slo, services.unique(), dict(slo_services or {}))
        if service is None:
            rows.append((slo.name, slo.service, "not deployed", 0, 0,
                         "no deployment of the service it watches"))  # fmt: skip
            continue
        spans = spans_around(
            list(deployments.loc[services == service, "deployed_at"]), before, after
        )
        try:
            pages, events = _pages_in(slo, spans, page_tiers, settings)
        except OpsbookError as error:
            rows.append((slo.name, service, "error", len(spans), 0, str(error)))
            continue
        if events == 0:
            rows.append((slo.name, service, "no data", len(spans), 0,
                         "its SLI has no events around the deployments"))  # fmt: skip
            continue
        found.append(pages.assign(slo=slo.name, account_id=slo_account or None, service=service))
        rows.append((slo.name, service, "evaluated", len(spans), len(pages), ""))
    status = _status(rows)
    evaluated = int((status["status"] == "evaluated").sum())
    failed = "; ".join(
        f"{r.slo}: {r.status} ({r.note})"
        for r in status.itertuples()
        if r.status in ("error", "no data")
    )
    if evaluated:
        note = f"{evaluated} of {len(slos)} SLOs evaluated around the deployments of their service"
        note += f"; not evaluated: {failed}" if failed else ""
    elif failed:
        note = f"no SLO could be evaluated: {failed}"
    else:
        note = "no SLO in the spec watches a deployed service"
    frame = pd.concat(found, ignore_index=True) if found else _empty_pages()
    frame = frame[list(PAGE_COLUMNS)].astype(PAGE_COLUMNS)
    return SloSignal(frame.sort_values("started", ignore_index=True), status, evaluated > 0, note)


def _pages_in(
    slo: Slo, spans: list, tiers: Sequence[maths.Tier], settings: Settings
) -> tuple[pd.DataFrame, float]:
    """Return the page episodes that start inside the spans, and the SLI events seen there."""
    frames, events = [], 0.0
    for lo, hi in spans:
        counts = fetch_counts(slo, lo, hi, settings=settings)
        events += float(counts["total"].sum())
        episodes = find_page_starts(slo, counts, hi, tiers)
        # The burn of the first long window of a span is computed on partial data: ignore it.
        settled = lo + max(t.long for t in tiers)
        frames.append(episodes[episodes["started"] >= settled])
    pages = pd.concat(frames, ignore_index=True) if frames else _empty_pages()
    return pages, events


def _status(rows: list[tuple]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=STATUS_COLUMNS).astype({"spans": "int64", "pages": "int64"})
