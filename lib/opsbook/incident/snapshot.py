"""Snapshot an incident: the window's logs, metrics, alarms, changes and Health into local files.

The folder is a data dir the local backend reads, in the formats AWS itself writes, so the
investigation replays offline (``resolve(backend="local", data_dir=dest)``) and can be attached to
the postmortem:

- ``logs/export/<log group>/<task id>/<log stream>/000000.gz``: CreateExportTask output
  (``<ISO time> <message>`` lines) for the service's log groups and the API access logs;
- ``metrics/opsbook-pull/<service>.parquet``: :func:`opsbook.metrics.pull` of the golden-signal
  series (and Lambda metrics), baseline included, with p50 and p99;
- ``alarms/describe-alarms.json`` and ``alarms/alarm-history.json``: DescribeAlarms and
  DescribeAlarmHistory shapes;
- ``cloudtrail/AWSLogs/<account>/CloudTrail/<region>/YYYY/MM/DD/*.json.gz``: CloudTrail log files
  of the write events in the look-back;
- ``health/*.json``: AWS Health DescribeEvents, details and affected entities;
- ``traces/batch-get-traces/YYYY/MM/DD/HH.json``: the traces of the window and its baseline, in
  the BatchGetTraces shape (rebuilt from what :func:`opsbook.traces.read_traces` returns);
- ``canaries/``: DescribeCanaries and GetCanaryRuns of the window and its baseline;
- ``slos.yaml``: the SLO spec, when the source has one.

It reads through the configured backend, so a snapshot of AWS and a snapshot of a local folder
(e.g. to cut one incident out of a larger export) work alike. It only reads.

Examples
--------
>>> made = snapshot("checkout-api", "2026-11-14T14:00Z", "2026-11-14T15:00Z", "incident-2026-11-14")  # doctest: +SKIP
>>> made.files()  # doctest: +SKIP
"""

from __future__ import annotations

import gzip
import json
import shutil
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from opsbook import alarms, canaries, changes, clock, health, logs, metrics, traces
from opsbook.backends import layout
from opsbook.backends.tracing import canary_runs_answer, traces_answer
from opsbook.errors import ConfigurationError, NoDataError, OpsbookError
from opsbook.incident.lambda_failures import LAMBDA_METRICS
from opsbook.incident.services import ServiceTargets, find_service, parse_dimensions
from opsbook.incident.signals import signal_specs
from opsbook.incident.window import IncidentWindow, drill_params, resolve_window
from opsbook.metrics import MetricSeries
from opsbook.settings import Settings, resolve

__all__ = ["Snapshot", "snapshot"]

_EVENT_QUERY = "fields @timestamp, @message, @logStream, @log"


@dataclass
class Snapshot:
    """What a snapshot wrote: the folder, counts per source, and the sources that failed."""

    dest: Path
    window: IncidentWindow
    service: ServiceTargets
    counts: dict[str, int] = field(default_factory=dict)
    problems: dict[str, str] = field(default_factory=dict)

    def summary(self) -> pd.DataFrame:
        """Return one row per source: items written, or the reason it could not be written."""
        names = sorted({*self.counts, *self.problems})
        rows = [(n, self.counts.get(n, 0), self.problems.get(n, "")) for n in names]
        return pd.DataFrame(rows, columns=["source", "items", "problem"]).set_index("source")

    def files(self) -> list[Path]:
        """Return the files written, relative to the folder."""
        return sorted(p.relative_to(self.dest) for p in self.dest.rglob("*") if p.is_file())


@drill_params
def snapshot(
    service: str,
    start: str | pd.Timestamp,
    end: str | pd.Timestamp,
    dest: str | Path,
    *,
    baseline: str = "",
    lookback: str = "6h",
    settings: Settings | None = None,
) -> Snapshot:
    """Copy the window's logs, metrics, alarms, changes and Health events into ``dest``.

    Parameters
    ----------
    start, end
        The window (ISO 8601, UTC). Metrics cover the baseline too, changes the look-back.
    dest
        A new or empty folder.
    baseline, lookback
        As for :func:`opsbook.incident.triage`.

    Returns
    -------
    Snapshot
        ``.summary()`` says what was written and which source failed (a failed source is
        reported, never silently missing; the others are still written).

    Raises
    ------
    opsbook.errors.ConfigurationError
        Bad window, unknown service, a ``dest`` that holds files already.
    """
    window = resolve_window(start, end, baseline=baseline, lookback=lookback)
    settings = settings or resolve()
    folder = Path(dest)
    if folder.exists() and (not folder.is_dir() or any(folder.iterdir())):
        raise ConfigurationError(f"snapshot folder {folder} is not empty: give a new folder")
    targets = find_service(service, settings=settings)
    folder.mkdir(parents=True, exist_ok=True)
    made = Snapshot(folder, window, targets)
    steps = {
        "logs": _logs, "metrics": _metrics, "alarms": _alarms, "alarm history": _alarm_history,
        "changes": _changes, "health": _health, "traces": _traces, "canaries": _canaries,
        "slos": _slos,
    }  # fmt: skip
    for name, step in steps.items():
        try:
            made.counts[name] = step(made, settings)
        except (OpsbookError, OSError) as error:  # partial: the other sources are still saved
            made.problems[name] = f"{type(error).__name__}: {error}"
    return made


def _logs(made: Snapshot, settings: Settings) -> int:
    w = made.window
    groups = list(made.service.log_groups)
    try:
        known = logs.describe_log_groups(settings=settings).log_group
        groups += [g for g in known if g.startswith("/aws/apigateway/")]  # access logs: api-5xx
    except NoDataError:
        pass
    if not groups:
        return 0
    try:
        events = logs.query(_EVENT_QUERY, groups, w.start, w.end, settings=settings)
    except NoDataError:
        return 0
    if events.empty:
        return 0
    task = str(
        uuid.uuid5(uuid.NAMESPACE_URL, f"opsbook-snapshot:{made.service.name}:{w.start}:{w.end}")
    )
    events = events.assign(**{"@timestamp": pd.to_datetime(events["@timestamp"], utc=True)})
    for (group, stream), part in events.groupby(["@log", "@logStream"], sort=True):
        path = (
            made.dest / layout.export_task(str(group), task) / str(stream) / layout.export_object(0)
        )
        path.parent.mkdir(parents=True, exist_ok=True)
        # Export files hold one event per line: a message's own line breaks would split it.
        lines = (f"{t.strftime('%Y-%m-%dT%H:%M:%S.')}{t.microsecond // 1000:03d}Z "
                 f"{str(m).replace(chr(10), ' ')}\n"
                 for t, m in zip(part["@timestamp"], part["@message"], strict=True))  # fmt: skip
        with gzip.open(path, "wt", encoding="utf-8") as handle:
            handle.writelines(sorted(lines))
    return len(events)


def _metrics(made: Snapshot, settings: Settings) -> int:
    w = made.window
    texts = [t for spec in signal_specs(made.service) for t in (*spec.series, *spec.total)]
    texts += [f"AWS/Lambda {metric} FunctionName={name} stat={stat}"
              for name in made.service.functions for metric, stat in LAMBDA_METRICS.values()]  # fmt: skip
    # One entry per metric; the percentiles asked of it (Metric Streams send them only for some).
    series: dict[str, MetricSeries] = {}
    wanted: dict[str, set[str]] = {}
    for text in texts:
        one = MetricSeries.parse(text)
        key = str(one.with_stat("Sum"))
        series.setdefault(key, one.with_stat("Sum"))
        wanted.setdefault(key, set())
        if one.stat.startswith("p"):
            wanted[key].add(one.stat)
    rows = 0
    base = _file_name(made.service.name)
    plain = [series[k] for k, stats in wanted.items() if not stats]
    if plain:
        path = metrics.pull(plain, min(w.baseline_start, w.start), w.end, 60, name=base,
                            dest=made.dest, settings=settings)  # fmt: skip
        rows += len(pd.read_parquet(path))
    # A file per set of percentiles: a series must be in one file only (no double counts).
    by_stats: dict[tuple[str, ...], list[MetricSeries]] = {}
    for key, stats in wanted.items():
        if stats:
            by_stats.setdefault(tuple(sorted(stats)), []).append(series[key])
    for index, (stats, group) in enumerate(sorted(by_stats.items())):
        path = metrics.pull(group, min(w.baseline_start, w.start), w.end, 60, name=f"{base}-pct{index}",
                            percentiles=stats, dest=made.dest, settings=settings)  # fmt: skip
        rows += len(pd.read_parquet(path))
    return rows


def _file_name(service: str) -> str:
    return "".join(c if c.isalnum() or c in "._-" else "_" for c in service) or "snapshot"


def _iso(value: object) -> str | None:
    return None if value is None or pd.isna(value) else pd.Timestamp(value).isoformat()


def _plain(value: object) -> object:
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    return value.item() if hasattr(value, "item") else value


def _alarms(made: Snapshot, settings: Settings) -> int:
    table = alarms.describe_alarms(None, settings=settings)
    metric, composite = [], []
    for row in table.itertuples():
        common = {
            "AlarmName": row.alarm_name, "AlarmArn": _plain(row.arn), "StateValue": _plain(row.state),
            "StateReason": _plain(row.state_reason), "StateUpdatedTimestamp": _iso(row.state_updated),
            "ActionsEnabled": _plain(row.actions_enabled), "AlarmDescription": _plain(row.description),
        }  # fmt: skip
        if row.alarm_type == "CompositeAlarm":
            composite.append({**common, "AlarmRule": _plain(row.expression)})
            continue
        alarm = {**common, "Namespace": _plain(row.namespace), "MetricName": _plain(row.metric_name),
                 "Dimensions": [{"Name": k, "Value": v} for k, v in parse_dimensions(row.dimensions).items()],
                 "Period": _plain(row.period), "Threshold": _plain(row.threshold),
                 "ComparisonOperator": _plain(row.comparison), "EvaluationPeriods": _plain(row.evaluation_periods),
                 "DatapointsToAlarm": _plain(row.datapoints_to_alarm),
                 "TreatMissingData": _plain(row.treat_missing_data)}  # fmt: skip
        stat = _plain(row.statistic)
        if isinstance(stat, str) and stat[:1] in ("p", "t", "w") and stat[1:2].isdigit():
            alarm["ExtendedStatistic"] = stat
        elif stat:
            alarm["Statistic"] = stat
        if isinstance(row.expression, str) and row.expression:  # metric math alarms: the formulas
            alarm["Metrics"] = [{"Id": i.strip(), "Expression": e.strip()}
                                for i, _, e in (p.partition("=") for p in row.expression.split(";"))]  # fmt: skip
        metric.append({k: v for k, v in alarm.items() if v is not None})
    _write_json(made.dest / layout.DESCRIBE_ALARMS,
                {"MetricAlarms": metric, "CompositeAlarms": composite})  # fmt: skip
    return len(table)


def _alarm_history(made: Snapshot, settings: Settings) -> int:
    w = made.window
    # Up to now: triage works out each alarm's state at the window's end from the current states
    # (describe-alarms.json) and every transition since; a data folder simply holds none later.
    until = max(w.end, clock.now())
    history = alarms.read_alarm_history(w.start - w.lookback, until, settings=settings)
    items = [{"Timestamp": _iso(r.timestamp), "AlarmName": r.alarm_name, "AlarmType": _plain(r.alarm_type),
              "HistoryItemType": _plain(r.item_type), "HistorySummary": _plain(r.summary),
              "HistoryData": _plain(r.data)} for r in history.itertuples()]  # fmt: skip
    _write_json(made.dest / layout.ALARM_HISTORY, {"AlarmHistoryItems": items})
    return len(items)


def _changes(made: Snapshot, settings: Settings) -> int:
    w = made.window
    frame = changes.read_changes(w.start - w.lookback, w.end, settings=settings)
    if frame.empty:
        (made.dest / layout.TRAIL_LOGS).mkdir(parents=True, exist_ok=True)
        return 0
    frame = frame.assign(event_time=pd.to_datetime(frame.event_time, utc=True))
    for (account, region, day), part in frame.groupby(
        [frame.account_id.fillna("000000000000"), frame.region.fillna(settings.region), frame.event_time.dt.strftime(layout.TRAIL_DAY)]
    ):  # fmt: skip
        records = [{
            "eventVersion": "1.09", "eventTime": f"{r.event_time:%Y-%m-%dT%H:%M:%SZ}",
            "eventSource": _plain(r.event_source), "eventName": _plain(r.event_name),
            "awsRegion": region, "recipientAccountId": account, "readOnly": False,
            "eventID": _plain(r.event_id), "userIdentity": {"arn": _plain(r.actor), "accountId": account},
            "requestParameters": json.loads(r.request_parameters) if isinstance(r.request_parameters, str) else None,
        } for r in part.itertuples()]  # fmt: skip
        name = layout.trail_file(
            account, region, f"{day.replace('/', '')}T0000Z", "opsbook-snapshot"
        )
        path = made.dest / layout.trail_folder(account, region, day) / name
        path.parent.mkdir(parents=True, exist_ok=True)
        with gzip.open(path, "wt", encoding="utf-8") as handle:
            json.dump({"Records": records}, handle)
    return len(frame)


def _health(made: Snapshot, settings: Settings) -> int:
    w = made.window
    events = health.read_health_events(w.start - w.lookback, w.end, settings=settings)
    if not events.attrs.get("available", True):
        raise NoDataError(
            "AWS Health could not be asked: "
            + (str(events.description.iloc[0]) if len(events) else "")
        )
    rows = [{"arn": r.arn, "service": _plain(r.service), "eventTypeCode": _plain(r.event_type),
             "eventTypeCategory": _plain(r.category), "region": _plain(r.region),
             "availabilityZone": _plain(r.availability_zone), "startTime": _iso(r.start), "endTime": _iso(r.end),
             "lastUpdatedTime": _iso(r.last_updated), "statusCode": _plain(r.status),
             "eventScopeCode": _plain(r.scope)} for r in events.itertuples()]  # fmt: skip
    details = [{"event": {"arn": r.arn}, "eventDescription": {"latestDescription": _plain(r.description)}}
               for r in events.itertuples()]  # fmt: skip
    entities = [{"eventArn": r.arn, "entityValue": value.strip()} for r in events.itertuples()
                if isinstance(r.affected_entities, str) for value in r.affected_entities.split(",")]  # fmt: skip
    _write_json(
        made.dest / layout.HEALTH_EVENTS,
        {"events": [{k: v for k, v in e.items() if v is not None} for e in rows]},
    )
    _write_json(
        made.dest / layout.HEALTH_EVENT_DETAILS, {"successfulSet": details, "failedSet": []}
    )
    _write_json(made.dest / layout.HEALTH_AFFECTED_ENTITIES, {"entities": entities})
    return len(rows)


def _traces(made: Snapshot, settings: Settings) -> int:
    w = made.window
    summaries = traces.read_trace_summaries(
        min(w.baseline_start, w.start), w.end, settings=settings
    )
    segments = traces.read_traces(summaries.trace_id.tolist(), settings=settings)
    annotations = dict(zip(summaries.trace_id, summaries.annotations, strict=True))
    by_hour: dict[str, list[dict[str, object]]] = {}
    for trace in traces_answer(segments, annotations):
        hour = pd.Timestamp(int(str(trace["Id"]).split("-")[1], 16), unit="s", tz="UTC")
        by_hour.setdefault(f"{hour:{layout.TRACE_HOUR}}", []).append(trace)
    (made.dest / layout.TRACES).mkdir(parents=True, exist_ok=True)
    for hour, items in by_hour.items():
        _write_json(
            made.dest / layout.trace_batch(hour), {"Traces": items, "UnprocessedTraceIds": []}
        )
    return len(summaries)


def _canaries(made: Snapshot, settings: Settings) -> int:
    w = made.window
    runs = canaries.read_canary_runs(min(w.baseline_start, w.start), w.end, settings=settings)
    names = sorted(set(runs.canary))
    _write_json(made.dest / layout.DESCRIBE_CANARIES, {"Canaries": [{"Name": n} for n in names]})
    for (name, day), group in runs.groupby([runs.canary, runs.started.dt.strftime("%Y-%m-%d")]):
        _write_json(
            made.dest / layout.canary_runs(str(name), str(day)),
            {"CanaryRuns": canary_runs_answer(group)},
        )
    return len(runs)


def _slos(made: Snapshot, settings: Settings) -> int:
    source = Path(settings.data_dir) / layout.SLOS
    if not source.is_file():
        return 0
    shutil.copyfile(source, made.dest / layout.SLOS)
    return 1


def _write_json(path: Path, document: object) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(document, indent=1, default=str))
