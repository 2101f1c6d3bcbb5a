"""What belongs to a service: its load balancers, functions, ECS services, APIs, databases, logs.

There is no service registry in CloudWatch, so the resources are found the way an on-call
engineer finds them: alarms named after the service (``checkout-api-alb-target-5xx``) or
watching its resources, SLOs whose ``service`` is it, and log groups carrying its name. A
service nothing points at is an error listing the services that were found.

Examples
--------
>>> find_service("checkout-api").load_balancers  # doctest: +SKIP
('app/checkout-alb/50dc6c495c0c9188',)
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from opsbook import alarms, logs
from opsbook.errors import ConfigurationError
from opsbook.metrics import MetricSeries
from opsbook.settings import Settings, resolve

__all__ = ["ServiceTargets", "find_service", "parse_dimensions"]

# CloudWatch dimension that names each kind of resource.
_KINDS = {
    "LoadBalancer": "load_balancers",
    "FunctionName": "functions",
    "ApiName": "apis",
    "DBInstanceIdentifier": "databases",
}


@dataclass(frozen=True)
class ServiceTargets:
    """The resources of one service that triage asks about."""

    name: str
    log_groups: tuple[str, ...] = ()
    load_balancers: tuple[str, ...] = ()
    functions: tuple[str, ...] = ()
    ecs_services: tuple[tuple[str, str], ...] = ()  # (cluster, service)
    apis: tuple[str, ...] = ()
    databases: tuple[str, ...] = ()
    alarms: tuple[str, ...] = ()
    slos: tuple[str, ...] = ()

    def names(self) -> set[str]:
        """Return every resource name, for matching changes and alarms to the service."""
        ecs = {s for pair in self.ecs_services for s in pair[1:]}
        lbs = {lb.split("/")[1] for lb in self.load_balancers if lb.count("/") >= 2}
        return {self.name, *self.functions, *ecs, *lbs, *self.apis, *self.databases}

    def table(self) -> pd.DataFrame:
        """Return the resources as rows (kind, name) for display."""
        rows = [("log group", g) for g in self.log_groups]
        rows += [("load balancer", x) for x in self.load_balancers]
        rows += [("Lambda function", x) for x in self.functions]
        rows += [("ECS service", f"{c}/{s}") for c, s in self.ecs_services]
        rows += [("API Gateway API", x) for x in self.apis]
        rows += [("RDS instance", x) for x in self.databases]
        rows += [("alarm", x) for x in self.alarms]
        rows += [("SLO", x) for x in self.slos]
        return pd.DataFrame(rows, columns=["kind", "name"])


def parse_dimensions(text: object) -> dict[str, str]:
    """Return ``{"A": "b"}`` from an alarm's ``"A=b, C=d"`` dimensions text.

    Examples
    --------
    >>> parse_dimensions("ClusterName=shop-prod, ServiceName=checkout-api")
    {'ClusterName': 'shop-prod', 'ServiceName': 'checkout-api'}
    """
    if not isinstance(text, str) or not text.strip():
        return {}
    pairs = (part.strip().split("=", 1) for part in text.split(","))
    return {key.strip(): value.strip() for key, value in (p for p in pairs if len(p) == 2)}


def find_service(
    name: str,
    *,
    settings: Settings | None = None,
    spec: str | Path | None = None,
    databases: tuple[str, ...] = (),
) -> ServiceTargets:
    """Return the resources of service ``name``, discovered from alarms, SLOs and log groups.

    Parameters
    ----------
    name
        Service name as used in alarm names, SLOs and log groups (e.g. ``checkout-api``).
    settings
        Backend and data location.
    spec
        OpenSLO file; default ``slos.yaml`` in the data folder when there is one.
    databases
        RDS instances the service depends on (nothing in CloudWatch links them).

    Raises
    ------
    opsbook.errors.ConfigurationError
        When nothing names the service; the message lists the services found.
    """
    if not isinstance(name, str) or not name.strip():
        raise ConfigurationError("service is empty: name the service, e.g. 'checkout-api'")
    settings = settings or resolve()
    found: dict[str, set] = {k: set() for k in (*_KINDS.values(), "ecs", "alarms", "slos", "logs")}
    known: set[str] = set()
    table = alarms.describe_alarms(None, settings=settings)
    for row in table.itertuples():
        dims = parse_dimensions(row.dimensions)
        known.update(v for k, v in dims.items() if k in ("ServiceName", "FunctionName"))
        mine = row.alarm_name.startswith(f"{name}-") or name in dims.values()
        if not mine:
            continue
        found["alarms"].add(row.alarm_name)
        _collect(dims, found)
    for slo in _slos(spec, settings):
        known.add(slo.service)
        if slo.service == name:
            found["slos"].add(slo.name)
            for source in (slo.good, slo.bad, slo.total, slo.metric):
                for _, text in getattr(source, "queries", ()):
                    _collect(dict(MetricSeries.parse(text).dimensions), found)
    groups = logs.list_log_groups(settings=settings)
    wanted = {name, *found["functions"]}
    found["logs"] = {
        g for g in groups if any(g.rstrip("/").endswith(f"/{w}") or f"/{w}/" in g for w in wanted)
    }
    known.update(g.rstrip("/").rsplit("/", 1)[-1] for g in groups if "/apigateway/" not in g)
    targets = ServiceTargets(
        name=name,
        log_groups=tuple(sorted(found["logs"])),
        load_balancers=tuple(sorted(found["load_balancers"])),
        functions=tuple(sorted(found["functions"])),
        ecs_services=tuple(sorted(found["ecs"])),
        apis=tuple(sorted(found["apis"])),
        databases=tuple(sorted(found["databases"] | set(databases))),
        alarms=tuple(sorted(found["alarms"])),
        slos=tuple(sorted(found["slos"])),
    )
    if not (targets.alarms or targets.slos or targets.log_groups):
        raise ConfigurationError(
            f"unknown service {name!r}: no alarm, SLO or log group names it. "
            f"Services found: {', '.join(sorted(known)) or '(none)'}"
        )
    return targets


def _collect(dims: dict[str, str], found: dict[str, set]) -> None:
    for key, kind in _KINDS.items():
        if key in dims:
            found[kind].add(dims[key])
    if "ClusterName" in dims and "ServiceName" in dims:
        found["ecs"].add((dims["ClusterName"], dims["ServiceName"]))


def _slos(spec: str | Path | None, settings: Settings) -> list:
    from opsbook.slo.spec import load_slos

    path = Path(spec) if spec else Path(settings.data_dir) / "slos.yaml"
    if not path.is_file():
        if spec:
            raise ConfigurationError(f"SLO spec {path} does not exist: give an OpenSLO YAML file")
        return []
    return load_slos(path)
