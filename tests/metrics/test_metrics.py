"""opsbook.metrics: requests, the local engine, the aws backend (moto, Stubber) and pulls."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import boto3
import numpy as np
import pandas as pd
import pytest
from botocore.stub import ANY, Stubber
from opsbook import metrics
from opsbook.backends import frames
from opsbook.backends.aws import metrics as aws_metrics
from opsbook.errors import (
    AccessDeniedError,
    ConfigurationError,
    QueryCancelledError,
    QueryFailedError,
)
from opsbook.metrics._math import MetricMathError
from opsbook.metrics._request import (
    MAX_DATAPOINTS_PER_CALL,
    MAX_QUERIES_PER_CALL,
    MetricRequestError,
    MetricSeries,
    build_request,
    check_retention,
    estimate_cost_usd,
    plan_calls,
    retention_bands,
)
from opsbook.settings import resolve
from support.moto_seed import put_records, stream_records, write_stream

ALB = "LoadBalancer=app/checkout-alb/50dc6c495c0c9188"
FUNCTION = "FunctionName=orders-worker"
MINUTES = 180


# --- a small metric stream, written as Firehose delivers it, and the same data in moto --------


def _stream_start() -> pd.Timestamp:
    return pd.Timestamp.now(tz="UTC").floor("h") - pd.Timedelta(days=1)


@pytest.fixture(scope="module")
def stream(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[dict], pd.Timestamp]:
    start = _stream_start()
    records = stream_records(start, MINUTES)
    return write_stream(tmp_path_factory.mktemp("stream"), records), records, start


@pytest.fixture
def local_stream(stream, clean_env: Path):
    return resolve(backend="local", data_dir=str(stream[0]))


# --- requests: checked before any data is read ------------------------------------------------


@pytest.mark.parametrize(
    ("call", "error", "text"),
    [
        pytest.param(
            dict(queries=["AWS/Lambda Errors stat=Median"]),
            MetricRequestError,
            "unknown statistic 'Median'",
            id="unknown-statistic",
        ),  # fmt: skip
        pytest.param(dict(period=90), MetricRequestError, "multiple of 60", id="period"),
        pytest.param(
            dict(start="2026-11-15", end="2026-11-14"),
            MetricRequestError,
            "swap start and end",
            id="end-before-start",
        ),  # fmt: skip
        pytest.param(
            dict(expressions={"e1": "m1 / m9"}),
            MetricMathError,
            "unknown id(s) m9",
            id="unknown-id",
        ),  # fmt: skip
        pytest.param(
            dict(expressions={"e1": "m1 +"}), MetricMathError, "character", id="syntax"
        ),  # fmt: skip
        pytest.param(
            dict(queries=["AWS/Lambda"]),
            MetricRequestError,
            "<namespace> <metric>",
            id="series-syntax",
        ),  # fmt: skip
        pytest.param(dict(start="yesterday-ish"), MetricRequestError, "ISO 8601", id="time"),
        pytest.param(
            dict(queries={"M1": "AWS/Lambda Errors"}),
            MetricRequestError,
            "lower-case letter",
            id="bad-id",
        ),  # fmt: skip
    ],
)
def test_bad_requests_fail_before_any_api_call(
    call: dict, error: type, text: str, monkeypatch: pytest.MonkeyPatch, clean_env: Path
) -> None:
    def no_calls(*args, **kwargs):
        raise AssertionError("an AWS client was created for a request that cannot be met")

    monkeypatch.setattr(aws_metrics, "client", no_calls)
    arguments = dict(queries=["AWS/Lambda Errors FunctionName=f stat=Sum"], start="2026-11-14",
                     end="2026-11-14T01:00", period=60) | call  # fmt: skip
    with pytest.raises(error, match=text.replace("(", r"\(").replace(")", r"\)")):
        metrics.get(**arguments, settings=resolve(backend="aws"))


def test_a_window_older_than_retention_names_the_period_that_works(
    monkeypatch: pytest.MonkeyPatch, clean_env: Path
) -> None:
    monkeypatch.setattr(aws_metrics, "client", lambda *a: pytest.fail("called AWS"))
    start = pd.Timestamp.now(tz="UTC").floor("D") - pd.Timedelta(days=40)
    with pytest.raises(MetricRequestError, match="multiple of 300 seconds"):
        metrics.get(["AWS/Lambda Errors FunctionName=f"], start, start + pd.Timedelta(hours=1),
                    60, settings=resolve(backend="aws"))  # fmt: skip
    now = pd.Timestamp("2026-11-15", tz="UTC")
    old = build_request(["AWS/Lambda Errors FunctionName=f"], "2025-01-01", "2025-01-02", 3600)
    with pytest.raises(MetricRequestError, match="455 days"):
        check_retention(old, now)
    check_retention(build_request(["AWS/X Y"], "2026-10-01", "2026-10-02", 300), now)
    with pytest.raises(MetricRequestError, match="5-minute boundary"):
        check_retention(build_request(["AWS/X Y"], "2026-10-01T00:01", "2026-10-02", 300), now)


def test_series_strings_parse_dimensions_statistic_and_label() -> None:
    series = MetricSeries.parse('AWS/ECS CPUUtilization ServiceName=checkout-api '
                                'ClusterName=shop-prod stat=p99.9 label="checkout cpu"')  # fmt: skip
    assert series.dimensions == (("ClusterName", "shop-prod"), ("ServiceName", "checkout-api"))
    assert (series.stat, series.display_label) == ("p99.9", "checkout cpu")
    assert MetricSeries.parse("AWS/ECS CPUUtilization stat=TM(10%:90%)").stat == "TM(10%:90%)"


def test_calls_respect_500_queries_and_100800_datapoints_and_cost_counts_each_call() -> None:
    request = build_request([f"AWS/Lambda Errors FunctionName=f{i}" for i in range(1200)],
                            "2026-11-01", "2026-11-03", 60)  # fmt: skip
    calls = plan_calls(request)
    periods = request.period * 1000
    for call in calls:
        assert len(call.ids) <= MAX_QUERIES_PER_CALL
        span = (call.end - call.start).total_seconds() * 1000 / periods
        assert len(call.ids) * span <= MAX_DATAPOINTS_PER_CALL
    covered = {(c.ids[0], c.start, c.end) for c in calls}
    assert len(covered) == len(calls)
    per_batch = sum((c.end - c.start).total_seconds() for c in calls if c.ids[0] == "m1")
    assert per_batch == 2 * 86400, "each batch covers the whole window, once"
    assert estimate_cost_usd(request) == pytest.approx(sum(c.metrics for c in calls) * 1e-5)
    recent = pd.Timestamp.now(tz="UTC").floor("D") - pd.Timedelta(days=3)
    costly = build_request(
        [f"AWS/X Y Z=z{i}" for i in range(1200)], recent, recent + pd.Timedelta(days=2)
    )
    with pytest.raises(QueryCancelledError, match="max_query_cost_usd"):
        aws_metrics.get_metric_data(resolve(backend="aws", max_query_cost_usd=0.001), costly)
    math = build_request(["AWS/X Y", "AWS/X Z"], "2026-11-01", "2026-11-03",
                         expressions={"e": "m1 / m2"})  # fmt: skip
    assert [len(c.ids) for c in plan_calls(math)] == [3], "math stays with its inputs in one call"


# --- the local engine -------------------------------------------------------------------------


def test_coarser_periods_are_computed_from_sum_and_count_as_cloudwatch_does(
    stream, local_stream
) -> None:
    _, records, start = stream
    raw = pd.DataFrame(
        [{"metric": r["metric_name"], "t": r["timestamp"], **r["value"]} for r in records]
    )
    duration = raw[raw.metric == "Duration"].assign(bucket=lambda f: (f.t - f.t.min()) // 300_000)
    frame = metrics.get({"avg": f"AWS/Lambda Duration {FUNCTION} stat=Average",
                         "max": f"AWS/Lambda Duration {FUNCTION} stat=Maximum",
                         "n": f"AWS/Lambda Duration {FUNCTION} stat=SampleCount"},
                        start, start + pd.Timedelta(minutes=MINUTES), 300, settings=local_stream)  # fmt: skip
    grouped = duration.groupby("bucket")
    expected = (grouped["sum"].sum() / grouped["count"].sum()).to_numpy()
    mean_of_means = (duration["sum"] / duration["count"]).groupby(duration.bucket).mean()
    average = frame[frame.id == "avg"].value.to_numpy()
    np.testing.assert_allclose(average, expected)
    assert not np.allclose(average, mean_of_means.to_numpy()), "not a mean of means"
    np.testing.assert_allclose(frame[frame.id == "max"].value, grouped["max"].max())
    np.testing.assert_allclose(frame[frame.id == "n"].value, grouped["count"].sum())
    assert frame.dtypes.to_dict() == frames.metric_data_frame([]).dtypes.to_dict()
    assert frame.timestamp.iloc[0] == start and (frame.timestamp.dt.minute % 5 == 0).all()
    assert frame.attrs["aws_cost_usd"] == pytest.approx(3e-5)


def test_percentiles_come_only_at_the_records_own_period(stream, local_stream) -> None:
    _, records, start = stream
    p99 = metrics.get([f"AWS/Lambda Duration {FUNCTION} stat=p99"], start,
                      start + pd.Timedelta(hours=1), 60, settings=local_stream)  # fmt: skip
    expected = [r["value"]["p99"] for r in records if r["metric_name"] == "Duration"][:60]
    np.testing.assert_allclose(p99.value, expected)
    with pytest.raises(ConfigurationError, match="do not combine"):
        metrics.get([f"AWS/Lambda Duration {FUNCTION} stat=p99"], start,
                    start + pd.Timedelta(hours=1), 300, settings=local_stream)  # fmt: skip
    with pytest.raises(ConfigurationError, match="raw sample"):
        metrics.get([f"AWS/Lambda Duration {FUNCTION} stat=tm90"], start,
                    start + pd.Timedelta(hours=1), 60, settings=local_stream)  # fmt: skip


def test_sample_incident_shows_the_5xx_burst_and_fill_covers_quiet_minutes(sample_dir) -> None:
    settings = resolve(backend="local", data_dir=str(sample_dir))
    frame = metrics.get(
        {"errors": f"AWS/ApplicationELB HTTPCode_Target_5XX_Count {ALB} stat=Sum",
         "requests": f"AWS/ApplicationELB RequestCount {ALB} stat=Sum"},
        "2026-11-14T13:30Z", "2026-11-14T15:30Z", 60,
        expressions={"rate": "FILL(errors, 0) / requests * 100"}, labels={"rate": "5XX %"},
        settings=settings,
    )  # fmt: skip
    rate = frame.set_index("timestamp").value
    assert set(frame.id) == {"rate"} and set(frame.label) == {"5XX %"}
    assert len(rate) == 120, "FILL gives every minute a datapoint"
    burst = rate["2026-11-14T14:05Z":"2026-11-14T14:40Z"]
    assert burst.min() > 5 and rate[:"2026-11-14T13:55Z"].max() < 1
    assert rate["2026-11-14T15:00Z":].max() < 1, "recovered after the rollback"


def test_burn_rate_expression_matches_the_alarm_in_alarm(sample_dir) -> None:
    settings = resolve(backend="local", data_dir=str(sample_dir))
    alarm = json.loads((sample_dir / "alarms" / "describe-alarms.json").read_text())
    burn = next(a for a in alarm["MetricAlarms"] if "burn-rate" in a["AlarmName"])
    reason = json.loads(burn["StateReasonData"])
    queries = {
        q["Id"]: MetricSeries(q["MetricStat"]["Metric"]["Namespace"],
                              q["MetricStat"]["Metric"]["MetricName"],
                              tuple((d["Name"], d["Value"])
                                    for d in q["MetricStat"]["Metric"]["Dimensions"]),
                              q["MetricStat"]["Stat"])
        for q in burn["Metrics"] if "MetricStat" in q
    }  # fmt: skip
    expression = next(q["Expression"] for q in burn["Metrics"] if "Expression" in q)
    frame = metrics.get(queries, reason["startDate"][:19], "2026-11-12T02:00Z", 3600,
                        expressions={"e1": expression}, settings=settings)  # fmt: skip
    np.testing.assert_allclose(frame.value, reason["recentDatapoints"], rtol=1e-5)


# --- the aws backend: moto for data, Stubber for faults and math -----------------------------


def test_a_pull_from_aws_replays_offline_as_the_same_frame(
    stream, local_stream, aws_env, tmp_path: Path
) -> None:
    """Both backends' frames for the same data: tests/test_parity.py. Here: pull, then replay."""
    _, records, start = stream
    put_records(boto3.client("cloudwatch", region_name="us-east-1"), records)
    queries = {f"{stat.lower()}_{metric.lower()}": f"AWS/Lambda {metric} {FUNCTION} stat={stat}"
               for metric in ("Errors", "Duration")
               for stat in ("Sum", "Average", "Minimum", "Maximum", "SampleCount")}  # fmt: skip
    end = start + pd.Timedelta(minutes=MINUTES)
    pulled = metrics.pull([f"AWS/Lambda Errors {FUNCTION}", f"AWS/Lambda Duration {FUNCTION}"],
                          start, end, 60, name="moto", dest=tmp_path, settings=resolve(backend="aws"))  # fmt: skip
    assert pulled.is_file()
    replay = resolve(backend="local", data_dir=str(tmp_path))
    pd.testing.assert_frame_equal(metrics.get(queries, start, end, 300, settings=replay),
                                  metrics.get(queries, start, end, 300, settings=local_stream))  # fmt: skip


def _stubbed(monkeypatch: pytest.MonkeyPatch) -> Stubber:
    client = boto3.client("cloudwatch", region_name="us-east-1")
    stubber = Stubber(client)
    monkeypatch.setattr(aws_metrics, "client", lambda settings, service: client)
    stubber.activate()
    return stubber


def _result(name: str, label: str, minutes: list[int], values: list[float]) -> dict:
    base = dt.datetime(2026, 11, 21, 10, tzinfo=dt.UTC)
    return {"Id": name, "Label": label, "StatusCode": "Complete", "Values": values,
            "Timestamps": [base + dt.timedelta(minutes=m) for m in minutes]}  # fmt: skip


def _window() -> tuple[pd.Timestamp, pd.Timestamp]:
    start = pd.Timestamp.now(tz="UTC").floor("h") - pd.Timedelta(hours=3)
    return start, start + pd.Timedelta(hours=1)


def test_aws_math_is_sent_to_cloudwatch_and_pages_are_followed(
    monkeypatch: pytest.MonkeyPatch, clean_env: Path
) -> None:
    stubber = _stubbed(monkeypatch)
    start, end = _window()
    first = {"MetricDataResults": [_result("rate", "error %", [0, 1], [1.0, 2.0])],
             "NextToken": "page-2", "Messages": []}  # fmt: skip
    second = {"MetricDataResults": [_result("rate", "error %", [2], [3.0])], "Messages": []}
    expected = {"StartTime": start.to_pydatetime(), "EndTime": end.to_pydatetime(),
                "ScanBy": "TimestampAscending", "MetricDataQueries": ANY}  # fmt: skip
    stubber.add_response("get_metric_data", first, expected)
    stubber.add_response("get_metric_data", second, {**expected, "NextToken": "page-2"})
    seen = []
    client = aws_metrics.client(None, "cloudwatch")
    client.meta.events.register("provide-client-params.cloudwatch.GetMetricData",
                                lambda params, **_: seen.append(params))  # fmt: skip
    frame = metrics.get([f"AWS/Lambda Errors {FUNCTION} stat=Sum", f"AWS/Lambda Invocations {FUNCTION} stat=Sum"],
                        start, end, 60, expressions={"rate": "m1 / m2 * 100"},
                        labels={"rate": "error %"}, settings=resolve(backend="aws"))  # fmt: skip
    stubber.assert_no_pending_responses()
    assert frame.value.tolist() == [1.0, 2.0, 3.0] and set(frame.label) == {"error %"}
    sent = {q["Id"]: q for q in seen[0]["MetricDataQueries"]}
    assert sent["rate"]["Expression"] == "m1 / m2 * 100" and sent["rate"]["ReturnData"]
    assert sent["m1"]["ReturnData"] is False and sent["m1"]["MetricStat"]["Stat"] == "Sum"


@pytest.mark.parametrize(
    ("code", "error", "text"),
    [
        pytest.param("Throttling", QueryFailedError, "kept throttling", id="throttling"),
        pytest.param("AccessDenied", AccessDeniedError, "cloudwatch:GetMetricData", id="denied"),
        pytest.param("ExpiredToken", ConfigurationError, "expired", id="expired"),
    ],
)
def test_aws_faults_become_clear_errors(
    code: str, error: type, text: str, monkeypatch: pytest.MonkeyPatch, clean_env: Path
) -> None:
    stubber = _stubbed(monkeypatch)
    stubber.add_client_error("get_metric_data", code, "no", http_status_code=400)
    start, end = _window()
    with pytest.raises(error, match=text):
        metrics.get([f"AWS/Lambda Errors {FUNCTION} stat=Sum"], start, end,
                    settings=resolve(backend="aws"))  # fmt: skip


def test_a_page_failing_mid_way_returns_nothing_partial(
    monkeypatch: pytest.MonkeyPatch, clean_env: Path
) -> None:
    stubber = _stubbed(monkeypatch)
    stubber.add_response("get_metric_data", {"MetricDataResults": [_result("m1", "x", [0], [1.0])],
                                             "NextToken": "t", "Messages": []})  # fmt: skip
    stubber.add_client_error("get_metric_data", "ThrottlingException", "slow down")
    start, end = _window()
    with pytest.raises(QueryFailedError, match="after 1 page"):
        metrics.get([f"AWS/Lambda Errors {FUNCTION} stat=Sum"], start, end,
                    settings=resolve(backend="aws"))  # fmt: skip


# --- pulling for offline replay ---------------------------------------------------------------


def test_pull_writes_parquet_the_local_backend_replays(
    stream, local_stream, tmp_path: Path
) -> None:
    _, _, start = stream
    end = start + pd.Timedelta(minutes=MINUTES)
    series = [f"AWS/Lambda Duration {FUNCTION}", f"AWS/Lambda Errors {FUNCTION}"]
    path = metrics.pull([f"{series[0]} stat=p99", series[1]], start, end, 60, name="replay",
                        dest=tmp_path, settings=local_stream)  # fmt: skip
    assert path == tmp_path / "metrics" / "opsbook-pull" / "replay.parquet"
    replay = resolve(backend="local", data_dir=str(tmp_path))
    asks = {"avg": f"{series[0]} stat=Average", "sum": f"{series[1]} stat=Sum"}
    for period in (60, 900):
        pd.testing.assert_frame_equal(
            metrics.get(asks, start, end, period, settings=replay),
            metrics.get(asks, start, end, period, settings=local_stream),
        )
    p99 = [f"{series[0]} stat=p99"]
    pd.testing.assert_frame_equal(metrics.get(p99, start, end, settings=replay),
                                  metrics.get(p99, start, end, settings=local_stream))  # fmt: skip
    assert metrics.describe_namespaces(settings=replay).series.tolist() == [2]


def test_cli_pull_writes_the_file_and_bad_input_exits_2(
    stream, local_stream, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch
) -> None:
    from opsbook.cli import main

    _, _, start = stream
    monkeypatch.setenv("OPSBOOK_DATA_DIR", str(stream[0]))
    window = ["--start", start.isoformat(), "--end", (start + pd.Timedelta(hours=1)).isoformat()]
    status = main(["metrics", "pull", f"AWS/Lambda Errors {FUNCTION}", *window, "--backend", "local",
                   "--dest", str(tmp_path), "--name", "cli", "--period", "300"])  # fmt: skip
    assert status == 0 and (tmp_path / "metrics" / "opsbook-pull" / "cli.parquet").is_file()
    assert main(["metrics", "pull", "AWS/Lambda Errors", *window, "--period", "45",
                 "--backend", "local", "--dest", str(tmp_path)]) == 2  # fmt: skip
    assert "multiple of 60" in capsys.readouterr().err


def test_pulled_parquet_is_flat_sorted_and_the_first_map_layout_still_reads(
    stream, local_stream, tmp_path: Path
) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    _, records, start = stream
    end = start + pd.Timedelta(minutes=MINUTES)
    path = metrics.pull([f"AWS/Lambda Errors {FUNCTION}", f"AWS/Lambda Duration {FUNCTION} stat=p99"],
                        start, end, 60, name="flat", dest=tmp_path / "flat", settings=local_stream)  # fmt: skip
    table = pq.read_table(path)
    assert table.schema.names == ["namespace", "metric_name", "dimensions", "timestamp",
                                  "min", "max", "sum", "count", "p99", "period"]  # fmt: skip
    assert table.schema.field("timestamp").type == pa.timestamp("ms", tz="UTC")
    rows = table.to_pandas()
    assert set(rows.dimensions) == {'{"FunctionName":"orders-worker"}'}
    order = ["namespace", "metric_name", "dimensions", "timestamp"]
    pd.testing.assert_frame_equal(rows, rows.sort_values(order, ignore_index=True))
    # a file in the first pulled layout (MAP dimensions and value) is read as before
    legacy = tmp_path / "legacy" / "metrics" / "opsbook-pull" / "old.parquet"
    legacy.parent.mkdir(parents=True)
    pq.write_table(
        pa.table(
            {
                "namespace": [r["namespace"] for r in records],
                "metric_name": [r["metric_name"] for r in records],
                "dimensions": [list(r["dimensions"].items()) for r in records],
                "timestamp": [r["timestamp"] for r in records],
                "value": [list(r["value"].items()) for r in records],
                "period": [60] * len(records),
            },
            schema=pa.schema(
                [
                    ("namespace", pa.string()),
                    ("metric_name", pa.string()),
                    ("dimensions", pa.map_(pa.string(), pa.string())),
                    ("timestamp", pa.int64()),
                    ("value", pa.map_(pa.string(), pa.float64())),
                    ("period", pa.int32()),
                ]
            ),  # fmt: skip
        ),
        legacy,
    )
    asks = {"avg": f"AWS/Lambda Duration {FUNCTION} stat=Average",
            "p99": f"AWS/Lambda Duration {FUNCTION} stat=p99",
            "n": f"AWS/Lambda Errors {FUNCTION} stat=SampleCount"}  # fmt: skip
    expected = metrics.get(asks, start, end, 60, settings=local_stream)
    assert expected.id.value_counts().to_dict() == {
        "avg": MINUTES, "p99": MINUTES, "n": sum(r["metric_name"] == "Errors" for r in records)
    }  # fmt: skip
    for folder in ("flat", "legacy"):
        replay = resolve(backend="local", data_dir=str(tmp_path / folder))
        pd.testing.assert_frame_equal(metrics.get(asks, start, end, 60, settings=replay), expected)


# --- listing series: namespaces, metrics and dimensions in a window ---------------------------


def test_list_metrics_on_the_sample_gives_each_lambda_series_and_its_span(sample_dir) -> None:
    settings = resolve(backend="local", data_dir=str(sample_dir))
    listed = metrics.list_metrics("AWS/Lambda", settings=settings)
    assert listed.dtypes.to_dict() == frames.metric_list_frame([]).dtypes.to_dict()
    assert len(listed) == 10  # 5 metrics x 2 functions
    assert listed.metric_name.nunique() == 5
    assert listed.dimensions.str.fullmatch(r"FunctionName=[a-z-]+").all()
    assert listed.dimensions.nunique() == 2
    assert (listed.datapoints > 0).all() and (listed["first"] < listed["last"]).all()
    # A window narrows the span and the counts; a two-dimension series reads Name=Value sorted.
    hour = metrics.list_metrics(
        start="2026-11-14T14:00Z", end="2026-11-14T15:00Z", settings=settings
    )
    assert (
        hour.datapoints.max() <= 60 and (hour["first"] >= pd.Timestamp("2026-11-14T14:00Z")).all()
    )
    assert "ClusterName=shop-prod,ServiceName=checkout-api" in set(hour.dimensions)
    assert set(hour.namespace) == set(metrics.describe_namespaces(settings=settings).namespace)


def test_list_metrics_on_aws_lists_series_put_in_moto_with_the_same_columns(
    stream, aws_env, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _, records, _ = stream
    sent: list[dict] = []
    real_client = aws_metrics.client

    def recording_client(settings, service):
        client = real_client(settings, service)
        client.meta.events.register(  # once: the factory hands out the same client
            "provide-client-params.cloudwatch.ListMetrics",
            lambda params, **_: sent.append(dict(params)),
            unique_id="record-list-metrics",
        )
        return client

    monkeypatch.setattr(aws_metrics, "client", recording_client)
    put_records(boto3.client("cloudwatch", region_name="us-east-1"), records)
    boto3.client("cloudwatch", region_name="us-east-1").put_metric_data(
        Namespace="Custom/Shop",
        MetricData=[{"MetricName": "Orders", "Value": 1.0, "Dimensions": [
            {"Name": "Stage", "Value": "prod"}, {"Name": "Api", "Value": "shop"}]}],
    )  # fmt: skip
    aws = resolve(backend="aws", data_dir=str(tmp_path))
    listed = metrics.list_metrics("AWS/Lambda", settings=aws)
    local = metrics.list_metrics(settings=resolve(backend="local", data_dir=str(stream[0])))
    assert listed.dtypes.to_dict() == local.dtypes.to_dict()
    assert listed[["namespace", "metric_name", "dimensions"]].equals(
        local[["namespace", "metric_name", "dimensions"]]
    )
    assert listed[["first", "last", "datapoints"]].isna().all().all()
    custom = metrics.list_metrics("Custom/Shop", start=pd.Timestamp.now(tz="UTC"), settings=aws)
    assert custom.dimensions.tolist() == ["Api=shop,Stage=prod"]
    # Only a window within the last 3 hours narrows ListMetrics to recently active series.
    assert [params.get("RecentlyActive") for params in sent] == [None, "PT3H"]


def test_list_metrics_refuses_an_empty_namespace_and_a_reversed_window(local_stream) -> None:
    with pytest.raises(ConfigurationError, match="namespace is empty"):
        metrics.list_metrics(" ", settings=local_stream)
    with pytest.raises(MetricRequestError, match="swap start and end"):
        metrics.list_metrics(start="2026-11-15", end="2026-11-14", settings=local_stream)


@pytest.mark.parametrize("days", [1, 20, 30, 90, 400])
def test_retention_bands_tile_the_window_and_each_passes_cloudwatch_retention(days: int) -> None:
    now = pd.Timestamp("2026-11-15 10:07", tz="UTC")
    start = now - pd.Timedelta(days=days)
    bands = retention_bands(start, now, 60, now)
    assert bands[0][0] <= start and bands[-1][1] == now
    assert all(a[1] == b[0] for a, b in zip(bands, bands[1:], strict=False)), "no gap, no overlap"
    assert [b[2] for b in bands] == sorted((b[2] for b in bands), reverse=True)
    for band_start, band_end, period in bands:
        check_retention(build_request(["AWS/Lambda Errors FunctionName=f"], band_start, band_end, period), now)  # fmt: skip
    assert len(bands) == 1 + (days > 15) + (days > 63)
