"""The backend contract: one Protocol per source, the functions every backend offers for it.

A backend is a package with one module per source (``opsbook.backends.<backend>.<source>``);
each module offers exactly the functions of its source's Protocol, with the same parameters,
and public nothing else (helpers are private or live in helper modules): its ``__all__`` is
``contract_functions(<Protocol>)``. Both backends return the
same frame for the same question, the columns and types of :mod:`.frames`; the parity suite
(``tests/backends/test_parity.py``) runs every function on both and declares each known difference
with its reason, and the signature test (``tests/backends/test_signatures.py``) holds every module
to its Protocol.

:data:`CONTRACT` lists the sources and their Protocols; :data:`AWS_ONLY` the parts only AWS can
serve, read there whatever ``settings.backend`` says; :data:`LIVE` the backends that read a live
account rather than a copy (a capability callers may ask for, never a backend's name). Sources reach the modules through
:func:`opsbook.backends.backend`, typed by these Protocols.

Examples
--------
>>> sorted(CONTRACT)[:5]
['alarms', 'appsignals', 'billing', 'canaries', 'changes']
>>> contract_functions(Logs)
['describe_log_groups', 'list_log_groups', 'list_s3_sources', 'query']
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:  # only annotations: importing these here would make an import cycle
    import datetime as dt
    from pathlib import Path

    import pandas as pd

    from opsbook.backends.checks import Check
    from opsbook.metrics._request import MetricRequest
    from opsbook.queries import Query
    from opsbook.settings import Settings

__all__ = [
    "AWS_ONLY",
    "CONTRACT",
    "LIVE",
    "Alarms",
    "AppSignals",
    "Canaries",
    "Changes",
    "Cur",
    "Doctor",
    "Health",
    "Inventory",
    "Logs",
    "Metrics",
    "Notify",
    "Pull",
    "Traces",
    "contract_functions",
]


class Cur(Protocol):
    """The Cost and Usage Report, queried in Athena SQL against the logical table ``cur``."""

    def run_cur_query(
        self,
        query: Query,
        values: dict[str, Any],
        settings: Settings,
        *,
        timeout: float | None = None,
        use_cache: bool = True,
    ) -> pd.DataFrame:
        """Run a checked query; the same columns and dtypes on both engines.

        ``attrs["query"]`` holds the run's facts (:class:`opsbook.queries.runs.QueryRun`).
        """
        ...


class Logs(Protocol):
    """CloudWatch Logs: log groups and Logs Insights queries."""

    def describe_log_groups(self, settings: Settings) -> pd.DataFrame:
        """Return one row per log group (:func:`.frames.log_groups_frame`).

        ``stored_bytes`` is what the group holds in bytes (UTF-8 message bytes on local files).
        """
        ...

    def list_log_groups(self, settings: Settings) -> list[str]:
        """Return the names :meth:`describe_log_groups` lists, in its order."""
        ...

    def list_s3_sources(self, settings: Settings) -> pd.DataFrame:
        """Return the S3 log archives (``source, format, objects, first_object, last_object``)."""
        ...

    def query(
        self,
        settings: Settings,
        text: str,
        log_groups: Sequence[str],
        start: dt.datetime,
        end: dt.datetime,
        *,
        limit: int | None = None,
        sources: Sequence[str | Path] | None = None,
        engine: str | None = None,
    ) -> pd.DataFrame:
        """Run Logs Insights ``text`` over ``log_groups`` in ``[start, end]``.

        Returns the typed frame (columns named, ordered and typed from the query, no ``@ptr``)
        with ``attrs``: ``results`` (GetQueryResults rows, ``@ptr`` last in event rows),
        ``statistics`` (``recordsMatched``, ``recordsScanned``, ``bytesScanned``), ``notes``
        (caveats) and ``query_ids``. ``sources`` (files or folders) are read by the local engine
        on every backend. ``engine="athena"`` runs the query on Athena over the one S3 archive
        ``log_groups`` names (aws backend only).
        """
        ...


class Metrics(Protocol):
    """CloudWatch metrics: namespaces, series and datapoints (GetMetricData's questions)."""

    def describe_namespaces(self, settings: Settings) -> pd.DataFrame:
        """Return one row per namespace (:func:`.frames.namespaces_frame`)."""
        ...

    def list_metrics(
        self,
        settings: Settings,
        namespace: str | None = None,
        start: pd.Timestamp | None = None,
        end: pd.Timestamp | None = None,
    ) -> pd.DataFrame:
        """Return one row per series (:func:`.frames.metric_list_frame`)."""
        ...

    def retention_bands(
        self, settings: Settings, start: pd.Timestamp, end: pd.Timestamp, period: int
    ) -> list[tuple[pd.Timestamp, pd.Timestamp, int]]:
        """Return ``[start, end)`` as bands the backend keeps datapoints at, with their period."""
        ...

    def get_metric_data(self, settings: Settings, request: MetricRequest) -> pd.DataFrame:
        """Return the request's datapoints, tidy (:func:`.frames.metric_data_frame`)."""
        ...


class Alarms(Protocol):
    """CloudWatch alarms: DescribeAlarms and DescribeAlarmHistory."""

    def describe_alarms(
        self, settings: Settings, state: str | None, name_prefix: str | None
    ) -> pd.DataFrame:
        """Return the alarms in ``state`` (all when None) by name prefix (:func:`.frames.alarms_frame`)."""
        ...

    def read_alarm_history(
        self,
        settings: Settings,
        start: pd.Timestamp,
        end: pd.Timestamp,
        alarm_name: str | None,
        item_type: str | None,
    ) -> pd.DataFrame:
        """Return history items in ``[start, end)``, oldest first (:func:`.frames.alarm_history_frame`)."""
        ...


class Changes(Protocol):
    """CloudTrail write events: what changed in the account."""

    def read_changes(
        self,
        settings: Settings,
        start: pd.Timestamp,
        end: pd.Timestamp,
        event_names: frozenset[str] | None,
    ) -> pd.DataFrame:
        """Return write events in ``[start, end)`` in the settings' region (:func:`.frames.changes_frame`)."""
        ...


class Health(Protocol):
    """AWS Health events."""

    def read_health_events(
        self, settings: Settings, start: pd.Timestamp, end: pd.Timestamp
    ) -> pd.DataFrame:
        """Return events active in ``[start, end)`` (:func:`.frames.health_events_frame`).

        ``attrs["available"]`` says whether Health could be read at all.
        """
        ...


class Traces(Protocol):
    """X-Ray traces: the service graph, trace summaries and the traces' segments.

    Every answer says where its traces were read on ``attrs["read_from"]``: ``source`` (``xray``,
    saved BatchGetTraces files, or the ``aws/spans`` log group of Transaction Search) and
    ``reason``.
    """

    def read_service_graph(
        self, settings: Settings, start: pd.Timestamp, end: pd.Timestamp
    ) -> pd.DataFrame:
        """Return the service graph's edges over ``[start, end)`` (:func:`.frames.service_edges_frame`)."""
        ...

    def read_trace_summaries(
        self,
        settings: Settings,
        start: pd.Timestamp,
        end: pd.Timestamp,
        filter_expression: str | None,
    ) -> pd.DataFrame:
        """Return the summaries of traces started in ``[start, end)`` passing the filter, by start.

        (:func:`.frames.trace_summaries_frame`)
        """
        ...

    def read_traces(self, settings: Settings, trace_ids: Sequence[str]) -> pd.DataFrame:
        """Return the segments and subsegments of the traces (:func:`.frames.trace_segments_frame`).

        ``attrs["unprocessed"]`` lists the ids that were not found.
        """
        ...


class Canaries(Protocol):
    """CloudWatch Synthetics canaries: their runs."""

    def read_canary_runs(
        self,
        settings: Settings,
        start: pd.Timestamp,
        end: pd.Timestamp,
        canaries: Sequence[str] | None,
    ) -> pd.DataFrame:
        """Return the runs started in ``[start, end)`` of ``canaries`` (None: every canary).

        By canary then start time (:func:`.frames.canary_runs_frame`).
        """
        ...


class Billing(Protocol):
    """AWS's own savings recommendations and anomalies, and the team's budgets."""

    def read_optimization_recommendations(self, settings: Settings) -> pd.DataFrame:
        """Return the current recommendations (:func:`.frames.optimization_recommendations_frame`)."""
        ...

    def read_compute_optimizer_recommendations(self, settings: Settings) -> pd.DataFrame:
        """Return Compute Optimizer's EC2, EBS and Lambda recommendations (:func:`.frames.compute_optimizer_frame`)."""
        ...

    def read_cost_anomalies(self, settings: Settings, start: dt.date, end: dt.date) -> pd.DataFrame:
        """Return Cost Anomaly Detection's anomalies ending in ``[start, end)`` (:func:`.frames.cost_anomalies_frame`)."""
        ...

    def read_anomaly_monitors(self, settings: Settings) -> pd.DataFrame:
        """Return Cost Anomaly Detection's monitors (:func:`.frames.anomaly_monitors_frame`)."""
        ...

    def read_budgets(self, settings: Settings) -> pd.DataFrame:
        """Return the account's budgets with actual and forecast spend (:func:`.frames.budgets_frame`)."""
        ...

    def read_budget_history(self, settings: Settings) -> pd.DataFrame:
        """Return each budget's limit and actual spend per past period (:func:`.frames.budget_history_frame`)."""
        ...


class Inventory(Protocol):
    """What hygiene checks need beyond the shared frames: retention, last writes, alarm actions."""

    def read_log_group_settings(self, settings: Settings) -> pd.DataFrame:
        """Return each log group's retention, size and last event (:func:`.frames.log_group_settings_frame`)."""
        ...

    def read_alarm_actions(self, settings: Settings) -> pd.DataFrame:
        """Return each alarm with its action counts (:func:`.frames.alarm_actions_frame`)."""
        ...


class Doctor(Protocol):
    """``opsbook doctor``: does the backend have what the notebooks need."""

    def checks(self, settings: Settings) -> list[Check]:
        """Return the backend's checks, in order; a check that could not run says SKIPPED."""
        ...


class AppSignals(Protocol):
    """CloudWatch Application Signals SLO budget reports (only AWS holds them)."""

    def budget_reports(
        self, settings: Settings, slo_ids: Sequence[str], moment: pd.Timestamp
    ) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
        """Return the API's ``Reports`` and ``Errors`` of ``slo_ids`` (empty: every SLO)."""
        ...


class Notify(Protocol):
    """Notifications through an AWS service (SNS), whatever backend the data comes from."""

    def publish(self, settings: Settings, topic_arn: str, subject: str, text: str) -> None:
        """Publish ``text`` to ``topic_arn`` (subject cut to what the service accepts)."""
        ...


class Pull(Protocol):
    """Copies from the account for offline replay: always read from AWS, written as local files."""

    def pull_logs(
        self,
        settings: Settings,
        log_groups: Sequence[str],
        start: dt.datetime,
        end: dt.datetime,
        dest: Path,
    ) -> list[Path]:
        """Copy events of ``log_groups`` in ``[start, end]`` to Parquet under ``dest``."""
        ...


#: Every source of the contract and its Protocol (the module name in each backend package).
CONTRACT: dict[str, type] = {
    "alarms": Alarms,
    "appsignals": AppSignals,
    "billing": Billing,
    "canaries": Canaries,
    "changes": Changes,
    "cur": Cur,
    "doctor": Doctor,
    "health": Health,
    "inventory": Inventory,
    "logs": Logs,
    "metrics": Metrics,
    "notify": Notify,
    "pull": Pull,
    "traces": Traces,
}

#: Parts only AWS serves, read on the aws backend whatever ``settings.backend`` says: no saved copy
#: of Application Signals exists, notifications go out through SNS, and pulls copy from the account.
AWS_ONLY = frozenset({"appsignals", "notify", "pull"})

#: Backends that read the live account, where a read without bounds is slow and billed (callers
#: default to a recent window there); the others read a bounded copy, whole by default.
LIVE = frozenset({"aws"})


def contract_functions(protocol: type) -> list[str]:
    """Return the names of a Protocol's functions, sorted.

    Examples
    --------
    >>> contract_functions(Health)
    ['read_health_events']
    """
    return sorted(
        name
        for name, value in vars(protocol).items()
        if callable(value) and not name.startswith("_")
    )
