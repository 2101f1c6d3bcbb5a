"""Drill into server errors (5XX): by route, status, version, and before/after a change.

Access logs (API Gateway ``$context`` JSON) give routes, methods, statuses and integration
latency; the service's own JSON logs give the version (ECS task definition) that answered. Where
the load balancer's access logs are in S3 (an ``alb`` archive of :func:`opsbook.logs.list_s3_sources`),
they give the 5XX per target, with those the load balancer made itself (no target answered) apart;
where there are none, the findings say so.

Examples
--------
>>> found = drill_5xx("checkout-api", "2026-11-14T14:00Z", "2026-11-14T15:00Z")  # doctest: +SKIP
>>> found.by_route.head(1).route.item()  # doctest: +SKIP
'/cart'
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import pandas as pd

from opsbook import logs
from opsbook.incident.patterns import mask_message
from opsbook.incident.services import ServiceTargets, find_service
from opsbook.incident.triage import query_fields
from opsbook.incident.window import IncidentWindow, drill_params, resolve_window
from opsbook.present import SKIPPED, annotate, status_of
from opsbook.settings import Settings, resolve

__all__ = ["Drill5xx", "drill_5xx"]


@dataclass
class Drill5xx:
    """The 5XX breakdowns of one window; every frame is plain pandas."""

    service: ServiceTargets
    window: IncidentWindow
    change_at: pd.Timestamp | None
    by_route: pd.DataFrame  # route, method, requests, errors_5xx, rate_pct
    by_status: pd.DataFrame  # route, status, errors
    by_version: pd.DataFrame  # version, requests, errors_5xx, rate_pct
    before_after: pd.DataFrame  # route, before/after requests, errors, rates
    errors: tuple[str, ...] = ()  # the queries the source could not run, with why
    alb_by_target: pd.DataFrame = field(
        default_factory=pd.DataFrame
    )  # target, requests, alb_5xx, elb_made
    alb_sources: tuple[str, ...] = ()  # the ALB access log archives read (none: none in S3)

    def failing_route(self) -> str | None:
        """Return the route with the most server errors in the window (``None`` if none)."""
        bad = self.by_route.loc[self.by_route.errors_5xx > 0]
        return None if bad.empty else str(bad.iloc[0].route)

    def figures(self) -> dict[str, object]:
        """Return the figures a runbook records: the failing route."""
        return {"failing_route": self.failing_route()}

    def status(self) -> str:
        """Return ERROR when a query failed, SKIPPED without data, FINDING for 5XX, else PASS."""
        if not self.errors and self.by_route.empty and self.by_version.empty:
            return SKIPPED
        failing = self.failing_route() is not None or bool((self.by_version.errors_5xx > 0).any())
        return status_of(["5XX"] if failing else [], errors=self.errors)

    def findings(self) -> list[str]:
        """Return short findings: the failing route, the failing version, the change's effect."""
        out = [f"logs ERROR: {problem}" for problem in self.errors]
        if self.by_route.empty and self.by_version.empty:
            return out or ["no data: no access or application log events in the window"]
        if (route := self.failing_route()) is not None:
            row = self.by_route.iloc[0]
            out.append(f"failing route {row.method} {route}: {int(row.errors_5xx)} 5XX of "
                       f"{int(row.requests)} requests ({row.rate_pct:.1f}%)")  # fmt: skip
        bad = self.by_version.loc[self.by_version.errors_5xx > 0]
        if not bad.empty:
            top = bad.sort_values("rate_pct", ascending=False).iloc[0]
            out.append(
                f"version {top.version}: {top.rate_pct:.1f}% 5XX ({int(top.errors_5xx)} of {int(top.requests)})"
            )
        return out + [self.alb_finding()]

    def alb_finding(self) -> str:
        """Return what the ALB access logs say: the 5XX by target, or that there are none."""
        if not self.alb_sources:
            return ("no ALB access logs in S3 (opsbook.logs.list_s3_sources() lists no 'alb' "
                    "archive): the load balancer's own 5XX are not counted here")  # fmt: skip
        frame = self.alb_by_target
        if frame.empty or not int(frame.alb_5xx.sum()):
            return f"ALB access logs: no 5XX in the window ({', '.join(self.alb_sources)})"
        top = frame.iloc[0]
        return (
            f"ALB access logs: {int(frame.alb_5xx.sum())} 5XX of {int(frame.requests.sum())} "
            f"requests, {int(frame.elb_made.sum())} made by the load balancer itself; most on "
            f"target {top.target} ({int(top.alb_5xx)} of its {int(top.requests)})"
        )


@drill_params
def drill_5xx(
    service: str,
    start: str | pd.Timestamp = "",
    end: str | pd.Timestamp = "",
    *,
    change_at: str = "",
    access_log_groups: Sequence[str] = (),
    alb_logs: Sequence[str] = (),
    settings: Settings | None = None,
) -> Drill5xx:
    """Return 5XX breakdowns for ``service`` over ``[start, end)``.

    Parameters
    ----------
    change_at
        The suspected change (ISO time): requests before it are compared with those after.
        Empty: no comparison.
    access_log_groups
        API Gateway access log groups; default every ``/aws/apigateway/*/access`` group.
    alb_logs
        ALB access log archives (``s3://<bucket>/<prefix>``); default every ``alb`` archive
        :func:`opsbook.logs.list_s3_sources` finds.
    """
    window = resolve_window(start, end)
    settings = settings or resolve()
    targets = find_service(service, settings=settings)
    change = window.within(change_at, "change_at")
    groups = list(access_log_groups) or [
        g for g in logs.describe_log_groups(settings=settings).log_group if g.startswith("/aws/apigateway/")
    ]  # fmt: skip
    errors: list[str] = []
    by_route = _routes(groups, window.start, window.end, settings, errors)
    by_status = (
        query_fields("errors_by_status", groups, window.start, window.end, ("route", "status", "errors"), settings, problems=errors)
        if groups
        else pd.DataFrame(columns=["route", "status", "errors"])
    )  # fmt: skip
    by_version = _versions(targets, window.start, window.end, settings, errors)
    before_after = pd.DataFrame()
    if change is not None and groups and not errors:
        before = _routes(groups, window.start, change, settings, errors)
        after = _routes(groups, change, window.end, settings, errors)
        before_after = before.merge(
            after, on=["route", "method"], how="outer", suffixes=("_before", "_after")
        )
        before_after = before_after.fillna(0).sort_values(
            "errors_5xx_after", ascending=False, ignore_index=True
        )
    why = ("no change_at given: nothing to compare (give the suspected change, e.g. from "
           "incident-triage)" if change is None else
           "no access logs to compare" if not groups else
           "the access logs could not be read: see the findings" if errors else
           "no request before or after the change")  # fmt: skip
    archives = list(alb_logs) or _alb_archives(settings)
    by_target = _alb_targets(archives, window.start, window.end, settings, errors)
    return Drill5xx(targets, window, change, by_route, by_status, by_version,
                    annotate(before_after, empty=why), tuple(dict.fromkeys(errors)),
                    by_target, tuple(archives))  # fmt: skip


def _alb_archives(settings: Settings) -> list[str]:
    found = logs.list_s3_sources(settings=settings)
    return found.loc[found.format == "alb", "source"].tolist()


def _alb_targets(
    archives: list[str],
    first: pd.Timestamp,
    last: pd.Timestamp,
    settings: Settings,
    errors: list[str],
) -> pd.DataFrame:
    columns = ["target", "requests", "alb_5xx", "elb_made"]
    if not archives:
        return annotate(pd.DataFrame(columns=columns), empty="no ALB access logs in S3")
    frame = query_fields("alb_by_target", archives, first, last, columns, settings, problems=errors)
    if frame.empty:
        return annotate(pd.DataFrame(columns=columns), empty="no ALB request in the window")
    return frame[columns]


def _routes(
    groups: list[str],
    first: pd.Timestamp,
    last: pd.Timestamp,
    settings: Settings,
    errors: list[str],
) -> pd.DataFrame:
    columns = ["route", "method", "requests", "errors_5xx", "rate_pct"]
    if not groups:
        return pd.DataFrame(columns=columns)
    frame = query_fields(
        "requests_by_route", groups, first, last, columns[:4], settings, problems=errors
    )
    if frame.empty:
        return pd.DataFrame(columns=columns)
    frame = frame.assign(rate_pct=100 * frame.errors_5xx / frame.requests)
    return frame.sort_values(["errors_5xx", "rate_pct"], ascending=False, ignore_index=True)[
        columns
    ]


def _versions(
    targets: ServiceTargets,
    first: pd.Timestamp,
    last: pd.Timestamp,
    settings: Settings,
    errors: list[str],
) -> pd.DataFrame:
    columns = ["version", "requests", "errors_5xx", "rate_pct"]
    app_groups = [g for g in targets.log_groups if not g.startswith("/aws/lambda/")]
    if not app_groups:
        return pd.DataFrame(columns=columns)
    frame = query_fields("requests_by_version", app_groups, first, last, ("requests", "errors_5xx"),
                          settings, problems=errors, missing_is_error=True)  # fmt: skip
    if frame.empty:
        return pd.DataFrame(columns=columns)
    frame = frame.assign(route=frame.route.astype(str).map(mask_message))
    grouped = frame.groupby("version", as_index=False)[["requests", "errors_5xx"]].sum()
    grouped["rate_pct"] = 100 * grouped.errors_5xx / grouped.requests
    return grouped.sort_values("rate_pct", ascending=False, ignore_index=True)[columns]
