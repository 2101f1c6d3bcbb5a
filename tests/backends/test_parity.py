"""One parity suite: every contract function runs on both backends over the same data.

Modelled on ibis's backend tests. Each case puts one set of data where each backend reads it:
files in AWS's own formats for ``local``; a moto server on 127.0.0.1 for ``aws`` (the ``aws_env``
fixture), or, where moto cannot serve (DescribeAlarmHistory, percentile statistics, CloudTrail
LookupEvents, AWS Health, Athena's SQL), botocore's Stubber, which checks each answer against the
service model, answering what AWS returns for that data. The case then calls the contract function
through the selector (``backend(settings).<source>``) on both and compares what comes back:
columns, dtypes, values and the keys of ``attrs`` (the facts each side carries, not their values).

Every known difference is declared here with its reason, never in prose elsewhere: in
:data:`KNOWN_DIFFERENCES` (the values of named columns, or rows only one side can hold) or as a
strict xfail for a whole answer. A declared difference that no longer shows fails the suite, so
the declarations stay true. :func:`test_every_contract_function_has_a_parity_case` holds the suite
to the contract (:mod:`opsbook.backends.contract`).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import gzip
import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import boto3
import pandas as pd
import pytest
import requests
from botocore.stub import ANY, Stubber
from opsbook import queries
from opsbook.backends import backend
from opsbook.backends.aws import alarms as aws_alarms
from opsbook.backends.aws import billing as aws_billing
from opsbook.backends.aws import changes as aws_changes
from opsbook.backends.aws import health as aws_health
from opsbook.backends.aws import insights_run
from opsbook.backends.aws import metrics as aws_metrics
from opsbook.backends.contract import AWS_ONLY, CONTRACT, contract_functions
from opsbook.metrics._request import build_request
from opsbook.settings import Settings, resolve
from support import doctor
from support.athena_replay import athena_results, create_cur_table
from support.moto_seed import lookup_events, put_records, seed_alarms, stream_records, write_stream

#: Declared differences, by case: a column whose values differ, or ROWS (rows one side lacks).
ROWS = "rows"
KNOWN_DIFFERENCES: dict[str, dict[str, str]] = {
    "logs.describe_log_groups": {
        "format": "the files say how they were delivered (export, firehose); DescribeLogGroups "
        "says nothing of it, so every group on AWS is 'cloudwatch'",
        "streams": "DescribeLogGroups lists no stream count; counting would take a "
        "DescribeLogStreams call per group, so the aws backend leaves it missing",
        "events": "AWS counts no events without a query: missing on aws, never a false zero",
        "first_event": "AWS gives no event times without a query: missing on aws",
        "last_event": "AWS gives no event times without a query: missing on aws",
    },
    "metrics.describe_namespaces": {
        "datapoints": "ListMetrics lists series, not datapoints: missing on aws",
        "first": "ListMetrics gives no times: missing on aws",
        "last": "ListMetrics gives no times: missing on aws",
    },
    "metrics.list_metrics": {
        "first": "ListMetrics gives no times: missing on aws",
        "last": "ListMetrics gives no times: missing on aws",
        "datapoints": "ListMetrics counts no datapoints: missing on aws",
    },
    "alarms.describe_alarms": {
        "state_reason": "CloudWatch writes its evaluation into StateReason; the alarms put into "
        "moto took their state through SetAlarmState, which sets the reason the caller gives",
        "arn": "moto's account (123456789012) is not the sample organisation's",
    },
    "changes.read_changes": {
        ROWS: "LookupEvents answers for the calling account only; a trail's S3 folder holds every "
        "account of an organisation trail, and the local backend reads them all",
    },
    "doctor.checks": {
        ROWS: "each backend checks what it reads: the data folder and each source's files "
        "locally; credentials, Athena workgroup and output, the Glue table and read permissions "
        "on AWS",
    },
}


@dataclasses.dataclass(frozen=True)
class Pair:
    """The settings that read one set of data on each backend."""

    local: Settings
    aws: Settings

    def both(self) -> tuple[Settings, Settings]:
        """The aws settings, then the local ones (the order :func:`assert_parity` takes)."""
        return self.aws, self.local


COVERED: set[str] = set()


def covers(*functions: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Register the contract functions (``source.function``) a parity test runs on both."""

    def register(test: Callable[..., Any]) -> Callable[..., Any]:
        COVERED.update(functions)
        return test

    return register


def call(settings: Settings, function: str, *args: Any) -> Any:
    """Run a contract function (``"logs.describe_log_groups"``) on the settings' backend."""
    source, name = function.split(".")
    return getattr(getattr(backend(settings), source), name)(settings, *args)


def assert_parity(
    case: str,
    aws: pd.DataFrame,
    local: pd.DataFrame,
    *,
    rows: Callable[[pd.DataFrame], pd.Series] | None = None,
    rtol: float | None = None,
) -> None:
    """Assert the same columns, dtypes, values and ``attrs`` keys, but for declared differences.

    ``rows`` picks the local rows AWS can hold, for a case that declares :data:`ROWS`.
    """
    known = KNOWN_DIFFERENCES.get(case, {})
    assert (ROWS in known) == (rows is not None), f"{case}: declare the rows, or give none"
    if rows is not None:
        kept = local[rows(local)].reset_index(drop=True)
        assert len(kept) < len(local), f"{case}: rows declared different ({known[ROWS]}), yet alike"
        kept.attrs = dict(local.attrs)
        local = kept
    assert list(aws.columns) == list(local.columns)
    assert aws.dtypes.to_dict() == local.dtypes.to_dict()
    assert set(aws.attrs) == set(local.attrs), "the same facts ride along on both"
    columns = [c for c in known if c != ROWS]
    for column in columns:
        assert not aws[column].equals(local[column]), (
            f"{case}: {column} is declared different ({known[column]}), yet alike: remove it"
        )
    pd.testing.assert_frame_equal(
        _bare(aws.drop(columns=columns)),
        _bare(local.drop(columns=columns)),
        check_exact=rtol is None,
        **({"rtol": rtol} if rtol is not None else {}),
    )


def _bare(frame: pd.DataFrame) -> pd.DataFrame:
    """The frame without its ``attrs``: ``assert_frame_equal`` does not compare them, and pandas
    deep-copies them for every column it takes out (a query's rows ride along in them)."""
    frame.attrs = {}
    return frame


def _stub(monkeypatch: pytest.MonkeyPatch, module: Any, service: str, name: str = "client") -> Any:
    """Give ``module`` one Stubber-backed client of ``service`` (checked against its model)."""
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    client = boto3.client(service, region_name="us-east-1")
    stubber = Stubber(client)
    monkeypatch.setattr(module, name, lambda settings, wanted: client)
    stubber.activate()
    return stubber


# --- the contract itself ---------------------------------------------------------------------


def test_every_contract_function_has_a_parity_case() -> None:
    both = {
        f"{source}.{function}"
        for source, protocol in CONTRACT.items()
        if source not in AWS_ONLY
        for function in contract_functions(protocol)
    }
    assert both == COVERED
    cases = {case.split("[")[0] for case in KNOWN_DIFFERENCES}
    assert cases <= COVERED, "every declared difference belongs to a case that runs"


# --- CloudWatch Logs: the same events in export files and in moto -----------------------------

T0 = pd.Timestamp("2026-11-14T10:00:00Z")
LOG_STREAMS = {"/app/api": ("api-1", "api-2"), "/app/worker": ("worker-1",)}
RETENTION = {"/app/api": 14}  # /app/worker keeps its events forever
TASK = "cda45419-90ea-4db5-9833-aade86253e66"  # an export task id separates group and stream


def _log_events() -> list[tuple[str, str, int, str]]:
    """``(group, stream, epoch ms, message)``: distinct times, JSON messages, ASCII only."""
    events = []
    pairs = [(g, s) for g, streams in LOG_STREAMS.items() for s in streams]
    for i in range(45):
        group, stream = pairs[i % len(pairs)]
        stamp = int((T0 + pd.Timedelta(seconds=7 * i, milliseconds=i)).value // 1_000_000)
        message = json.dumps({"status": [200, 200, 500][i % 3], "path": f"/p{i % 4}", "n": i})
        events.append((group, stream, stamp, message))
    return events


@pytest.fixture
def log_data(aws_env: str, tmp_path: Path) -> Pair:
    """The events as a CloudWatch export task writes them, and the same put into moto.

    The log groups' DescribeLogGroups output is saved beside them, as the local backend's
    inventory reads it (``aws logs describe-log-groups > describe-log-groups.json``).
    """
    logs = boto3.client("logs", region_name="us-east-1")
    files: dict[tuple[str, str], list[str]] = {}
    for group, streams in LOG_STREAMS.items():
        logs.create_log_group(logGroupName=group)
        if group in RETENTION:
            logs.put_retention_policy(logGroupName=group, retentionInDays=RETENTION[group])
        for stream in streams:
            logs.create_log_stream(logGroupName=group, logStreamName=stream)
    put: dict[tuple[str, str], list[dict]] = {}
    for group, stream, stamp, message in _log_events():
        put.setdefault((group, stream), []).append({"timestamp": stamp, "message": message})
        moment = pd.Timestamp(stamp, unit="ms", tz="UTC").strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3]
        files.setdefault((group, stream), []).append(f"{moment}Z {message}\n")
    for (group, stream), events in put.items():  # a stream's events in time order, one call
        logs.put_log_events(logGroupName=group, logStreamName=stream, logEvents=events)
    for (group, stream), lines in files.items():
        folder = tmp_path / "logs" / "export" / group.lstrip("/") / TASK / stream
        folder.mkdir(parents=True)
        (folder / "000000.gz").write_bytes(gzip.compress("".join(lines).encode()))
    described = logs.describe_log_groups()
    (tmp_path / "logs" / "describe-log-groups.json").write_text(
        json.dumps({"logGroups": described["logGroups"]}, default=str)
    )
    return Pair(resolve(backend="local", data_dir=str(tmp_path)),
                resolve(backend="aws", region="us-east-1"))  # fmt: skip


@covers("logs.describe_log_groups", "logs.list_log_groups")
def test_log_groups(log_data: Pair) -> None:
    case = "logs.describe_log_groups"
    aws, local = call(log_data.aws, case), call(log_data.local, case)
    assert_parity(case, aws, local)
    assert local.events.sum() == len(_log_events())
    names = call(log_data.aws, "logs.list_log_groups")
    assert names == call(log_data.local, "logs.list_log_groups") == aws.log_group.tolist()


@covers("logs.list_s3_sources")
def test_s3_log_sources(log_data: Pair) -> None:
    """The same frame of archives; the aws backend lists none until Athena reads them."""
    case = "logs.list_s3_sources"
    aws, local = call(log_data.aws, case), call(log_data.local, case)
    assert_parity(case, aws, local)


@covers("logs.query")
def test_log_events_query_on_moto(log_data: Pair) -> None:
    """An event query moto's Logs Insights can run: fields, sort by time, limit."""
    text = "fields @timestamp, @message, @logStream | sort @timestamp desc | limit 25"
    window = (T0.to_pydatetime(), (T0 + pd.Timedelta(hours=1)).to_pydatetime())
    frames = [call(s, "logs.query", text, list(LOG_STREAMS), *window) for s in log_data.both()]
    assert_parity("logs.query[moto]", *frames)
    assert len(frames[0]) == 25


@covers("inventory.read_log_group_settings")
def test_log_group_settings(log_data: Pair) -> None:
    case = "inventory.read_log_group_settings"
    aws, local = call(log_data.aws, case), call(log_data.local, case)
    assert_parity(case, aws, local)
    assert aws.retention_days.fillna(0).tolist() == [14, 0]  # /app/worker: never expires


#: Six hours around the sample's incident (2026-11-14 14:05-14:50): every query stays under the
#: 10,000-row cap, so one StartQuery answers it.
PARITY_WINDOW = (
    dt.datetime(2026, 11, 14, 12, tzinfo=dt.UTC),
    dt.datetime(2026, 11, 14, 18, tzinfo=dt.UTC),
)
SAMPLE_GROUPS = [
    "/aws/apigateway/shop-public-api/access",
    "/aws/lambda/catalog-api-handler",
    "/aws/lambda/orders-worker",
    "/ecs/checkout-api",
]


SLI_ROLES = ("good", "bad", "total", "metric")


def _shipped_queries() -> list[str]:
    from importlib import resources

    names = []
    for package, prefix in (("opsbook.queries", "logs"), ("opsbook.incident", "queries")):
        folder = resources.files(package).joinpath(prefix)
        names += [f"{package}:{prefix}/{p.name}" for p in folder.iterdir() if p.name.endswith(".insights")]  # fmt: skip
    return sorted(names)


def _slo_queries() -> list[str]:
    """Every log query in the sample's SLO specs: Logs Insights SLIs and breakdown annotations."""
    import tempfile

    from opsbook.sample.org import timeline
    from opsbook.sample.slos import write_slos
    from opsbook.slo.evaluate import BREAKDOWN_QUERY
    from opsbook.slo.spec import LogsSource, load_slos

    with tempfile.TemporaryDirectory() as tmp:
        write_slos(Path(tmp), timeline(dt.date(2026, 11, 15)))
        slos = load_slos(Path(tmp) / "slos.yaml")
    out = []
    for slo in slos:
        out += [f"slo:{slo.name}:{role}" for role in SLI_ROLES
                if isinstance(getattr(slo, role), LogsSource)]  # fmt: skip
        if BREAKDOWN_QUERY in slo.annotations:
            out.append(f"slo:{slo.name}:breakdown")
    return out


def _case(name: str, sample_dir: Path) -> tuple[str, list[str]]:
    """Return the query text and log groups of a parity case (SLO ones read from the sample)."""
    from importlib import resources

    from opsbook.slo.evaluate import BREAKDOWN_GROUPS, BREAKDOWN_QUERY
    from opsbook.slo.spec import LogsSource, load_slos

    if name.startswith("slo:"):
        _, slo_name, role = name.split(":")
        (slo,) = [s for s in load_slos(sample_dir / "slos.yaml") if s.name == slo_name]
        if role == "breakdown":
            groups = slo.annotations[BREAKDOWN_GROUPS].split(",")
            return slo.annotations[BREAKDOWN_QUERY], [g.strip() for g in groups]
        source = getattr(slo, role)
        assert isinstance(source, LogsSource)
        return source.query, list(source.log_groups)
    package, path = name.split(":")
    return resources.files(package).joinpath(path).read_text(), SAMPLE_GROUPS


@covers("logs.query")
@pytest.mark.parametrize("case", _shipped_queries() + _slo_queries())
def test_log_queries_on_the_sample(
    case: str, sample_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every shipped and SLO query: what moto's Logs Insights cannot run (filter, stats, parse).

    The local engine reads the sample; its rows, as GetQueryResults returns them, are AWS's
    answer through a Stubber, so the aws backend's merging and typing must give the same frame.
    """
    text, groups = _case(case, sample_dir)
    start, end = PARITY_WINDOW
    local = call(resolve(data_dir=str(sample_dir)), "logs.query", text, groups, start, end)
    assert 0 < len(local) < insights_run.ROW_CAP
    statistics = local.attrs["statistics"]
    assert statistics["recordsMatched"] <= statistics["recordsScanned"]
    explicit = re.search(r"\|\s*limit\s+(\d+)", text)
    stub = _stub(monkeypatch, insights_run, "logs", name="aws_client")
    stub.add_response(
        "start_query",
        {"queryId": "q-parity"},
        {
            "logGroupNames": groups,
            "startTime": int(start.timestamp()),
            "endTime": int(end.timestamp()) - 1,  # StartQuery's end is inclusive
            "queryString": text,
            "limit": int(explicit.group(1)) if explicit else 10_000,
        },
    )
    answer = {"results": local.attrs["results"], "statistics": statistics, "status": "Complete"}
    stub.add_response("get_query_results", answer, {"queryId": "q-parity"})
    aws = call(resolve(backend="aws", region="us-east-1"), "logs.query", text, groups, start, end)
    stub.assert_no_pending_responses()
    assert_parity("logs.query[stub]", aws, local)
    assert aws.attrs["statistics"]["recordsMatched"] == statistics["recordsMatched"]


# --- CloudWatch metrics: one metric stream in files and in moto ----------------------------------

M0 = pd.Timestamp("2026-11-14T00:00:00Z")  # within CloudWatch's 1-minute retention at PINNED_NOW
MINUTES = 180
FUNCTION = "FunctionName=orders-worker"


@pytest.fixture
def metric_data(aws_env: str, tmp_path: Path) -> Pair:
    """Three hours of a Lambda function's Metric Streams records, as files and in moto."""
    records = stream_records(M0, MINUTES)
    write_stream(tmp_path, records)
    put_records(boto3.client("cloudwatch", region_name="us-east-1"), records)
    return Pair(resolve(backend="local", data_dir=str(tmp_path)),
                resolve(backend="aws", region="us-east-1"))  # fmt: skip


@covers("metrics.describe_namespaces", "metrics.list_metrics")
def test_namespaces_and_series(metric_data: Pair) -> None:
    for case in ("metrics.describe_namespaces", "metrics.list_metrics"):
        assert_parity(case, *(call(s, case) for s in metric_data.both()))
    window = ("AWS/Lambda", M0, M0 + pd.Timedelta(minutes=MINUTES))
    aws, local = (call(s, "metrics.list_metrics", *window) for s in metric_data.both())
    assert_parity("metrics.list_metrics", aws, local)
    assert local.metric_name.tolist() == ["Duration", "Errors", "Invocations"]


@covers("metrics.get_metric_data")
@pytest.mark.parametrize("period", [60, 300, 3600])
def test_datapoints_of_every_basic_statistic(metric_data: Pair, period: int) -> None:
    queries = {f"{stat.lower()}_{metric.lower()}": f"AWS/Lambda {metric} {FUNCTION} stat={stat}"
               for metric in ("Errors", "Duration", "Invocations")
               for stat in ("Sum", "Average", "Minimum", "Maximum", "SampleCount")}  # fmt: skip
    request = build_request(queries, M0, M0 + pd.Timedelta(minutes=MINUTES), period)
    aws, local = (call(s, "metrics.get_metric_data", request) for s in metric_data.both())
    assert_parity("metrics.get_metric_data", aws, local, rtol=1e-9)
    assert len(local[local.id == "sum_invocations"]) == MINUTES * 60 // period


@covers("metrics.get_metric_data")
def test_percentiles_at_the_stream_period(
    tmp_path: Path, pinned_clock: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Moto computes no percentile: CloudWatch's p99 of each minute is the stream's own p99."""
    records = stream_records(M0, MINUTES)
    local = resolve(backend="local", data_dir=str(write_stream(tmp_path, records)))
    request = build_request({"p99": f"AWS/Lambda Duration {FUNCTION} stat=p99"}, M0,
                            M0 + pd.Timedelta(minutes=MINUTES), 60)  # fmt: skip
    ((_, series),) = request.metrics
    durations = [r for r in records if r["metric_name"] == "Duration"]
    stub = _stub(monkeypatch, aws_metrics, "cloudwatch")
    answer = {"Id": "p99", "Label": series.display_label, "StatusCode": "Complete",
              "Timestamps": [pd.Timestamp(r["timestamp"], unit="ms", tz="UTC").to_pydatetime()
                             for r in durations],
              "Values": [r["value"]["p99"] for r in durations]}  # fmt: skip
    stub.add_response("get_metric_data", {"MetricDataResults": [answer], "Messages": []},
                      {"MetricDataQueries": ANY, "StartTime": ANY, "EndTime": ANY,
                       "ScanBy": "TimestampAscending"})  # fmt: skip
    aws = call(resolve(backend="aws", region="us-east-1"), "metrics.get_metric_data", request)
    stub.assert_no_pending_responses()
    assert_parity(
        "metrics.get_metric_data[p99]", aws, call(local, "metrics.get_metric_data", request)
    )


BANDS_AGREE = "both keep the window whole: CloudWatch still has every datapoint at this period"
BANDS_SPLIT = (
    "CloudWatch keeps 1-minute datapoints 15 days, 5-minute ones 63 and hourly ones 455, so the "
    "aws backend splits the window into coarser bands; local files keep every datapoint at the "
    "period they were written, so a replay reads the window whole (see retention_bands)"
)


@covers("metrics.retention_bands")
@pytest.mark.parametrize(
    ("days", "period"),
    [
        pytest.param(1, 60, id="1-day-at-60s"),
        pytest.param(10, 3600, id="10-days-at-3600s"),
        pytest.param(
            20, 60, id="20-days-at-60s", marks=pytest.mark.xfail(strict=True, reason=BANDS_SPLIT)
        ),
        pytest.param(
            400,
            300,
            id="400-days-at-300s",
            marks=pytest.mark.xfail(strict=True, reason=BANDS_SPLIT),
        ),
    ],  # fmt: skip
)
def test_retention_bands(days: int, period: int, pinned_clock: str) -> None:
    end = pd.Timestamp(pinned_clock).floor("h")
    window = (end - pd.Timedelta(days=days), end, period)
    aws, local = (call(resolve(backend=name), "metrics.retention_bands", *window)
                  for name in ("aws", "local"))  # fmt: skip
    assert aws == local, BANDS_AGREE


# --- alarms: the sample's alarms put into moto, its history through a Stubber ------------------


@pytest.fixture
def alarm_data(aws_env: str, pinned_clock: str, sample_dir: Path) -> Pair:
    """The sample's metric alarms in moto, each in its current state since it entered it."""
    seed_alarms(boto3.client("cloudwatch", region_name="us-east-1"), sample_dir, pinned_clock)
    return Pair(resolve(backend="local", data_dir=str(sample_dir)),
                resolve(backend="aws", region="us-east-1"))  # fmt: skip


@covers("alarms.describe_alarms", "inventory.read_alarm_actions")
def test_alarms_and_their_actions(alarm_data: Pair) -> None:
    for arguments in [(None, None), ("ALARM", None), ("OK", "checkout-api")]:
        frames = [call(s, "alarms.describe_alarms", *arguments) for s in alarm_data.both()]
        assert_parity("alarms.describe_alarms", *frames)
    assert len(frames[1]) > 0
    case = "inventory.read_alarm_actions"
    assert_parity(case, *(call(s, case) for s in alarm_data.both()))


@covers("alarms.read_alarm_history")
def test_alarm_history(sample_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Moto has no DescribeAlarmHistory: the saved items are its answer, over two pages."""
    saved = json.loads((sample_dir / "alarms" / "alarm-history.json").read_text())
    start, end = pd.Timestamp("2026-11-14T13:00Z"), pd.Timestamp("2026-11-14T16:00Z")
    items = [i for i in saved["AlarmHistoryItems"] if i["HistoryItemType"] == "StateUpdate"
             and start <= pd.Timestamp(i["Timestamp"]) <= end]  # fmt: skip
    stub = _stub(monkeypatch, aws_alarms, "cloudwatch")
    half = len(items) // 2
    stub.add_response(
        "describe_alarm_history", {"AlarmHistoryItems": items[:half], "NextToken": "n"}
    )
    stub.add_response("describe_alarm_history", {"AlarmHistoryItems": items[half:]})
    arguments = (start, end, None, "StateUpdate")
    aws = call(resolve(backend="aws"), "alarms.read_alarm_history", *arguments)
    stub.assert_no_pending_responses()
    local = call(resolve(data_dir=str(sample_dir)), "alarms.read_alarm_history", *arguments)
    assert_parity("alarms.read_alarm_history", aws, local)
    assert len(local) > 2


# --- changes and Health: what moto does not serve, answered by a Stubber ----------------------

PROD = "334455667788"  # the account the sample's incident runs in


@covers("changes.read_changes")
def test_changes(sample_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    start, end = pd.Timestamp("2026-11-14T00:00Z"), pd.Timestamp("2026-11-15T00:00Z")
    events = lookup_events(sample_dir, PROD, start, end)
    stub = _stub(monkeypatch, aws_changes, "cloudtrail")
    expected = {"LookupAttributes": [{"AttributeKey": "ReadOnly", "AttributeValue": "false"}],
                "StartTime": ANY, "EndTime": ANY, "MaxResults": 50}  # fmt: skip
    stub.add_response("lookup_events", {"Events": events[:3], "NextToken": "p2"}, expected)
    stub.add_response("lookup_events", {"Events": events[3:]}, {**expected, "NextToken": "p2"})
    aws = call(resolve(backend="aws"), "changes.read_changes", start, end, None)
    stub.assert_no_pending_responses()
    local = call(resolve(data_dir=str(sample_dir)), "changes.read_changes", start, end, None)
    assert_parity("changes.read_changes", aws, local, rows=lambda f: f.account_id == PROD)


@covers("health.read_health_events")
def test_health_events(sample_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = sample_dir / "health"
    saved = {name: json.loads((folder / f"{name}.json").read_text())
             for name in ("describe-events", "describe-event-details", "describe-affected-entities")}  # fmt: skip
    start, end = pd.Timestamp("2026-11-10", tz="UTC"), pd.Timestamp("2026-11-15", tz="UTC")
    stub = _stub(monkeypatch, aws_health, "health")
    # the API applies the startTimes filter: events that started before the window's end
    started = [e for e in saved["describe-events"]["events"] if pd.Timestamp(e["startTime"]) < end]
    stub.add_response("describe_events", {"events": started})
    details = {"successfulSet": saved["describe-event-details"]["successfulSet"], "failedSet": []}
    stub.add_response("describe_event_details", details, {"eventArns": [e["arn"] for e in started]})
    stub.add_response("describe_affected_entities", saved["describe-affected-entities"])
    aws = call(resolve(backend="aws"), "health.read_health_events", start, end)
    stub.assert_no_pending_responses()
    local = call(resolve(data_dir=str(sample_dir)), "health.read_health_events", start, end)
    assert_parity("health.read_health_events", aws, local)
    assert len(local) > 0 and aws.attrs["available"] and local.attrs["available"]


@covers("billing.read_optimization_recommendations")
def test_optimization_recommendations(sample_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The hub's Data Export (newest refresh) and ListRecommendations with the same items."""
    local = call(resolve(data_dir=str(sample_dir)), "billing.read_optimization_recommendations")
    stub = _stub(monkeypatch, aws_billing, "cost-optimization-hub")
    fields = {"recommendation_id": "recommendationId", "account_id": "accountId",
              "region": "region", "resource_id": "resourceId", "resource_arn": "resourceArn",
              "action_type": "actionType", "current_resource_type": "currentResourceType",
              "current_resource_summary": "currentResourceSummary",
              "recommended_resource_summary": "recommendedResourceSummary",
              "estimated_monthly_cost": "estimatedMonthlyCost",
              "estimated_monthly_savings": "estimatedMonthlySavings",
              "implementation_effort": "implementationEffort", "source": "source",
              "last_refresh": "lastRefreshTimestamp"}  # fmt: skip
    items = [{api: (row[column].to_pydatetime() if column == "last_refresh" else row[column])
              for column, api in fields.items()} for _, row in local.iterrows()]  # fmt: skip
    stub.add_response("list_recommendations", {"items": items[:2], "nextToken": "p2"},
                      {"includeAllRecommendations": True})  # fmt: skip
    stub.add_response("list_recommendations", {"items": items[2:]},
                      {"includeAllRecommendations": True, "nextToken": "p2"})  # fmt: skip
    aws = call(resolve(backend="aws"), "billing.read_optimization_recommendations")
    stub.assert_no_pending_responses()
    assert_parity("billing.read_optimization_recommendations", aws, local)
    assert len(local) == 5 and local["recommendation_id"].is_unique


@covers("billing.read_budgets")
def test_budgets(aws_env: str, sample_dir: Path) -> None:
    """The saved DescribeBudgets output, and the same budgets created in moto."""
    saved = json.loads((sample_dir / "billing" / "describe-budgets.json").read_text())["Budgets"]
    account = boto3.client("sts", region_name="us-east-1").get_caller_identity()["Account"]
    api = boto3.client("budgets", region_name="us-east-1")
    for budget in saved:
        period = {k: pd.Timestamp(v).to_pydatetime() for k, v in budget["TimePeriod"].items()}
        api.create_budget(AccountId=account, Budget={
            **{k: v for k, v in budget.items() if k != "LastUpdatedTime"}, "TimePeriod": period})  # fmt: skip
    aws = call(resolve(backend="aws"), "billing.read_budgets")
    local = call(resolve(data_dir=str(sample_dir)), "billing.read_budgets")
    assert_parity("billing.read_budgets", aws, local)
    assert len(local) == 3 and local["forecast"].notna().all()


def _saved(sample_dir: Path, name: str) -> dict[str, Any]:
    return json.loads((sample_dir / name).read_text())


@covers("billing.read_compute_optimizer_recommendations")
def test_compute_optimizer(sample_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The three saved Get*Recommendations answers, and the same answers from the API, paged.

    Moto serves no Compute Optimizer: botocore's Stubber answers, checked against the model.
    """
    folder = "billing/compute-optimizer"
    ec2 = _saved(sample_dir, f"{folder}/get-ec2-instance-recommendations.json")
    ebs = _saved(sample_dir, f"{folder}/get-ebs-volume-recommendations.json")
    lam = _saved(sample_dir, f"{folder}/get-lambda-function-recommendations.json")
    stub = _stub(monkeypatch, aws_billing, "compute-optimizer")
    items = ec2["instanceRecommendations"]
    stub.add_response("get_ec2_instance_recommendations",
                      {"instanceRecommendations": items[:1], "nextToken": "p2"}, {})  # fmt: skip
    stub.add_response("get_ec2_instance_recommendations",
                      {"instanceRecommendations": items[1:]}, {"nextToken": "p2"})  # fmt: skip
    stub.add_response("get_ebs_volume_recommendations", ebs, {})
    stub.add_response("get_lambda_function_recommendations", lam, {})
    aws = call(resolve(backend="aws"), "billing.read_compute_optimizer_recommendations")
    stub.assert_no_pending_responses()
    local = call(
        resolve(data_dir=str(sample_dir)), "billing.read_compute_optimizer_recommendations"
    )
    assert_parity("billing.read_compute_optimizer_recommendations", aws, local)
    assert set(local["resource_type"]) == {"Ec2Instance", "EbsVolume", "LambdaFunction"}


@covers("billing.read_cost_anomalies")
def test_cost_anomalies(sample_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Saved GetAnomalies and the API's answer for the window (moto serves no anomalies)."""
    saved = _saved(sample_dir, "billing/cost-anomaly-detection/get-anomalies.json")["Anomalies"]
    start, end = dt.date(2026, 10, 16), dt.date(2026, 11, 15)
    stub = _stub(monkeypatch, aws_billing, "ce")
    interval = {"DateInterval": {"StartDate": "2026-10-16", "EndDate": "2026-11-14"}}
    stub.add_response("get_anomalies", {"Anomalies": saved[:1], "NextPageToken": "p2"}, interval)
    stub.add_response("get_anomalies", {"Anomalies": saved[1:]},
                      {**interval, "NextPageToken": "p2"})  # fmt: skip
    aws = call(resolve(backend="aws"), "billing.read_cost_anomalies", start, end)
    stub.assert_no_pending_responses()
    local = call(resolve(data_dir=str(sample_dir)), "billing.read_cost_anomalies", start, end)
    assert_parity("billing.read_cost_anomalies", aws, local)
    assert len(local) == 3 and local["root_causes"].notna().all()


@covers("billing.read_anomaly_monitors")
def test_anomaly_monitors(sample_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Saved GetAnomalyMonitors and the API's answer (moto serves no monitors)."""
    saved = _saved(sample_dir, "billing/cost-anomaly-detection/get-anomaly-monitors.json")
    stub = _stub(monkeypatch, aws_billing, "ce")
    stub.add_response("get_anomaly_monitors", saved, {})
    aws = call(resolve(backend="aws"), "billing.read_anomaly_monitors")
    stub.assert_no_pending_responses()
    local = call(resolve(data_dir=str(sample_dir)), "billing.read_anomaly_monitors")
    assert_parity("billing.read_anomaly_monitors", aws, local)
    assert local["monitor_type"].tolist() == ["CUSTOM", "DIMENSIONAL"]


@covers("billing.read_budget_history")
def test_budget_history(sample_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Each saved DescribeBudgetPerformanceHistory, and the API's (moto serves DescribeBudgets
    but not the history, so both are stubbed here; ``test_budgets`` runs DescribeBudgets on moto)."""
    budgets = _saved(sample_dir, "billing/describe-budgets.json")["Budgets"]
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    clients = {name: boto3.client(name, region_name="us-east-1") for name in ("sts", "budgets")}
    stubs = {name: Stubber(c) for name, c in clients.items()}
    monkeypatch.setattr(aws_billing, "client", lambda settings, wanted: clients[wanted])
    account = "210987654321"
    stubs["sts"].add_response("get_caller_identity", {"Account": account, "Arn": "arn:aws:iam::"
                              f"{account}:user/x", "UserId": "x"})  # fmt: skip
    for_api = [{**b, "TimePeriod": {k: pd.Timestamp(v).to_pydatetime()
                                    for k, v in b["TimePeriod"].items()},
                "LastUpdatedTime": pd.Timestamp(b["LastUpdatedTime"]).to_pydatetime()}
               for b in budgets]  # fmt: skip
    stubs["budgets"].add_response("describe_budgets", {"Budgets": for_api}, {"AccountId": account})
    for budget in budgets:
        name = budget["BudgetName"]
        history = _saved(sample_dir, f"billing/budget-performance-history/{name}.json")
        stubs["budgets"].add_response("describe_budget_performance_history", history,
                                      {"AccountId": account, "BudgetName": name})  # fmt: skip
    for stub in stubs.values():
        stub.activate()
    aws = call(resolve(backend="aws"), "billing.read_budget_history")
    for stub in stubs.values():
        stub.assert_no_pending_responses()
    local = call(resolve(data_dir=str(sample_dir)), "billing.read_budget_history")
    assert_parity("billing.read_budget_history", aws, local)
    assert set(local["budget_name"]) == {b["BudgetName"] for b in budgets}


# --- the CUR: one query, DuckDB over the files and Athena on moto -----------------------------


@covers("cur.run_cur_query")
@pytest.mark.parametrize("name", ["cur/cost_by_service", "cur/billing_periods"])
def test_cur_query(name: str, aws_env: str, sample_dir: Path, clean_env: Path) -> None:
    """Moto's Athena runs no SQL: it answers with the result queued, Athena's CSV of the local one.

    What this holds: the aws backend's statement, execution and typing of Athena's answer (text
    values and Athena column types) give the local engine's frame, and both carry the same facts.
    """
    spec = queries.load(name)
    values = spec.check({"start_period": "2026-09", "end_period": "2026-10"} if spec.params else {})
    local_settings = resolve(backend="local", data_dir=str(sample_dir), cache_dir="off")
    local = backend(local_settings).cur.run_cur_query(spec, values, local_settings)
    aws_settings = resolve(**create_cur_table(sample_dir))
    queued = requests.post(f"{aws_env}/moto-api/static/athena/query-results",
                           json={"results": [athena_results(local)]}, timeout=10)  # fmt: skip
    assert queued.status_code == 201
    aws = backend(aws_settings).cur.run_cur_query(spec, values, aws_settings)
    assert_parity("cur.run_cur_query", aws, local)
    facts = aws.attrs["query"]
    assert facts["engine"] == "athena" and facts["query_id"] and facts["cache_hit"] is False
    assert facts["cost_usd"] == pytest.approx(10 * 2**20 / 2**40 * 5), "Athena's 10 MB minimum"
    assert set(facts) == set(local.attrs["query"])


# --- doctor: each backend checks what it reads ------------------------------------------------


@covers("doctor.checks")
def test_doctor(aws_env: str, sample_dir: Path, sample_cache: Path, clean_env: Path) -> None:
    """A healthy setup passes every check on both; which checks run is each backend's own.

    Declared difference: the rows. Locally the data folder and each source's files are checked;
    on AWS the credentials, the Athena workgroup and its output bucket, the Glue table and the
    log and metric read permissions. Both name the logs and metrics checks alike. The local
    checks of the sample are the session's one run (``support.doctor``: the command line's tests
    check the same).
    """
    aws_settings = resolve(**create_cur_table(sample_dir))
    boto3.client("logs", region_name="us-east-1").create_log_group(logGroupName="/ecs/checkout-api")
    local_settings = resolve(backend="local", data_dir=str(sample_dir), cache_dir=str(sample_cache))
    aws, local = (pd.DataFrame(map(dataclasses.asdict, checks))
                  for checks in (call(aws_settings, "doctor.checks"),
                                 doctor.checks(local_settings)))  # fmt: skip
    assert list(aws.columns) == list(local.columns) == ["name", "status", "detail", "fix"]
    assert set(aws.status) == set(local.status) == {"PASS"}, (aws, local)
    assert {"logs", "metrics"} <= set(aws.name) & set(local.name)
    assert aws.name.tolist() != local.name.tolist(), KNOWN_DIFFERENCES["doctor.checks"][ROWS]


# --- traces and canaries: X-Ray segments in moto; the graph, summaries and runs through Stubbers --


def _saved_traces(sample_dir: Path, hours: range) -> list[dict[str, Any]]:
    """The sample's BatchGetTraces items of the incident day's ``hours``."""
    folder = sample_dir / "traces" / "batch-get-traces" / "2026" / "11" / "14"
    return [t for h in hours for t in json.loads((folder / f"{h:02d}.json").read_text())["Traces"]]


@covers("traces.read_traces")
def test_traces_on_moto(aws_env: str, sample_dir: Path) -> None:
    """moto keeps the segment documents PutTraceSegments sent and BatchGetTraces gives them back."""
    saved = _saved_traces(sample_dir, range(14, 15))[:12]
    documents = [s["Document"] for t in saved for s in t["Segments"]]
    answer = boto3.client("xray", region_name="us-east-1").put_trace_segments(
        TraceSegmentDocuments=documents
    )
    assert answer["UnprocessedTraceSegments"] == []
    ids = [t["Id"] for t in saved] + ["1-6af869da-000000000000000000000000"]  # one not there
    aws, local = (call(s, "traces.read_traces", ids) for s in (resolve(backend="aws", region="us-east-1"),
                                                              resolve(data_dir=str(sample_dir))))  # fmt: skip
    assert_parity("traces.read_traces", aws, local)
    assert local.attrs["unprocessed"] == ids[-1:] and local.trace_id.nunique() == 12


#: Seven hours around the incident: X-Ray answers six hours a call, so the aws backend asks twice.
TRACE_WINDOW = (pd.Timestamp("2026-11-14T12:00Z"), pd.Timestamp("2026-11-14T19:00Z"))


@covers("traces.read_service_graph")
def test_service_graph(sample_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Moto's GetServiceGraph answers no services: X-Ray's answer for the sample's segments is given."""
    from opsbook.backends import frames, tracing
    from opsbook.backends.aws import traces as aws_traces

    segments = frames.trace_segments_frame(
        tracing.segment_rows(_saved_traces(sample_dir, range(12, 19)))
    )
    stub = _stub(monkeypatch, aws_traces, "xray")
    stub.add_response("get_trace_segment_destination", {"Destination": "XRay", "Status": "ACTIVE"})
    for first, last in tracing.slices(*TRACE_WINDOW):
        inside = segments.loc[segments.trace_id.isin(
            segments.loc[(segments.depth == 0) & (segments.start >= first) & (segments.start < last)].trace_id)]  # fmt: skip
        stub.add_response("get_service_graph", tracing.service_graph(inside, first, last),
                          {"StartTime": first.to_pydatetime(), "EndTime": last.to_pydatetime()})  # fmt: skip
    aws = call(resolve(backend="aws"), "traces.read_service_graph", *TRACE_WINDOW)
    stub.assert_no_pending_responses()
    local = call(resolve(data_dir=str(sample_dir)), "traces.read_service_graph", *TRACE_WINDOW)
    assert_parity("traces.read_service_graph", aws, local, rtol=1e-9)
    assert local.set_index("callee").faults["payments-api"] > 20


@covers("traces.read_trace_summaries")
@pytest.mark.parametrize("expression", [None, 'service("payments-api") { fault }'])
def test_trace_summaries(
    sample_dir: Path, monkeypatch: pytest.MonkeyPatch, expression: str | None
) -> None:
    """Moto's summaries are guesses (a response time of 1 ms, no filter): X-Ray's are given, paged."""
    from opsbook.backends import tracing
    from opsbook.backends.aws import traces as aws_traces

    local = call(
        resolve(data_dir=str(sample_dir)), "traces.read_trace_summaries", *TRACE_WINDOW, expression
    )
    kept = set(local.trace_id)
    stub = _stub(monkeypatch, aws_traces, "xray")
    stub.add_response("get_trace_segment_destination", {"Destination": "XRay", "Status": "ACTIVE"})
    for first, last in tracing.slices(*TRACE_WINDOW):
        items = [tracing.trace_summary(t) for t in _saved_traces(sample_dir, range(first.hour, last.hour))
                 if t["Id"] in kept]  # fmt: skip
        expected = {"StartTime": first.to_pydatetime(), "EndTime": last.to_pydatetime(), "TimeRangeType": "TraceId",
                    **({"FilterExpression": expression} if expression else {})}  # fmt: skip
        half = len(items) // 2
        stub.add_response(
            "get_trace_summaries", {"TraceSummaries": items[:half], "NextToken": "p2"}, expected
        )
        stub.add_response(
            "get_trace_summaries", {"TraceSummaries": items[half:]}, {**expected, "NextToken": "p2"}
        )
    aws = call(resolve(backend="aws"), "traces.read_trace_summaries", *TRACE_WINDOW, expression)
    stub.assert_no_pending_responses()
    assert_parity("traces.read_trace_summaries", aws, local)
    assert len(local) > 0 and (expression is None or local.fault.all())


@covers("canaries.read_canary_runs")
def test_canary_runs(sample_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Moto has no GetCanaryRuns: the saved runs answer, newest first, read until past the window."""
    from opsbook.backends.aws import canaries as aws_canaries

    start, end = pd.Timestamp("2026-11-14T14:00Z"), pd.Timestamp("2026-11-14T15:00Z")
    folder = sample_dir / "canaries"
    described = json.loads((folder / "describe-canaries.json").read_text())
    stub = _stub(monkeypatch, aws_canaries, "synthetics")
    stub.add_response(
        "describe_canaries", {"Canaries": described["Canaries"][:1], "NextToken": "page-2"}, {}
    )
    stub.add_response(
        "describe_canaries", {"Canaries": described["Canaries"][1:]}, {"NextToken": "page-2"}
    )
    for name in sorted(c["Name"] for c in described["Canaries"]):
        runs = json.loads((folder / "get-canary-runs" / name / "2026-11-14.json").read_text())[
            "CanaryRuns"
        ]
        newest = sorted((r for r in runs if r["Timeline"]["Started"] < "2026-11-14T15:30"),
                        key=lambda r: r["Timeline"]["Started"], reverse=True)  # fmt: skip
        # one page reaches past the window's start: the next is never asked for
        stub.add_response("get_canary_runs", {"CanaryRuns": newest[:100], "NextToken": "more"},
                          {"Name": name, "MaxResults": 100})  # fmt: skip
    aws = call(resolve(backend="aws"), "canaries.read_canary_runs", start, end, None)
    stub.assert_no_pending_responses()
    local = call(resolve(data_dir=str(sample_dir)), "canaries.read_canary_runs", start, end, None)
    assert_parity("canaries.read_canary_runs", aws, local)
    assert (local.state == "FAILED").sum() > 30
