"""Traces and canaries: the sources on the sample, the two triage checks, the trace evidence."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pandas as pd
import pytest
from opsbook import canaries, metrics, traces
from opsbook.backends import frames
from opsbook.backends.aws import is_read_only
from opsbook.errors import ConfigurationError, NoDataError, UnreadableFileError
from opsbook.incident import FIRST_CHECKS, triage
from opsbook.incident.checks import ERROR, FINDING, PASS
from opsbook.incident.tracing import trace_evidence
from opsbook.settings import resolve
from opsbook.slo.evaluate import review_slos
from opsbook.slo.spec import CANARY_EXAMPLE, SPANS_EXAMPLE, parse_slos

WINDOW = ("2026-11-14T14:00Z", "2026-11-14T15:00Z")
BASELINE = ("2026-11-14T13:00Z", "2026-11-14T14:00Z")


@pytest.fixture(scope="module")
def settings(sample_dir: Path):
    return resolve(backend="local", data_dir=str(sample_dir))


def _types(frame: pd.DataFrame, schema: dict[str, str]) -> bool:
    return list(frame.columns) == list(schema) and [str(t) for t in frame.dtypes] == list(
        schema.values()
    )


def test_the_service_graph_shows_the_failing_edge_only_in_the_incident(settings) -> None:
    during = traces.read_service_graph(*WINDOW, settings=settings)
    before = traces.read_service_graph(*BASELINE, settings=settings)
    assert _types(during, frames.SERVICE_EDGES)
    edge = during.set_index("callee").loc["payments-api"]
    assert edge.caller == "checkout-api" and edge.faults > 20 and edge.p99_ms >= 2000
    assert (
        before.faults.sum() == 0
        and before.loc[before.callee == "payments-api"].p99_ms.iloc[0] < 500
    )
    assert set(during.callee) == {"checkout-api", "inventory-api", "payments-api", "shop-orders-db"}
    # per period: each quarter hour's edges, with the window each covers
    quarters = traces.read_service_graph(*WINDOW, period="15min", settings=settings)
    assert quarters.start.nunique() == 4 and quarters.requests.sum() == during.requests.sum()


def test_trace_summaries_filter_and_the_traces_behind_them(settings) -> None:
    every = traces.read_trace_summaries(*WINDOW, settings=settings)
    assert _types(every, frames.TRACE_SUMMARIES) and every.start.is_monotonic_increasing
    failed = traces.read_trace_summaries(
        *WINDOW, filter_expression='service("payments-api") { fault }', settings=settings
    )
    assert 0 < len(failed) == every.fault.sum()
    assert set(failed.root_cause) == {"payments-api"} and set(failed.http_status) == {500}
    slow = traces.read_trace_summaries(
        *WINDOW, filter_expression="responsetime > 1.5 AND fault", settings=settings
    )
    assert (slow.response_time_s > 1.5).all() and len(slow) <= len(failed)
    tagged = traces.read_trace_summaries(
        *WINDOW, filter_expression='annotation.version = "checkout-api:43"', settings=settings
    )
    before_rollback = failed.loc[failed.start < pd.Timestamp("2026-11-14T14:41Z")]
    assert before_rollback.trace_id.isin(tagged.trace_id).all(), "the bad version faults"
    missing = "1-6af869da-000000000000000000000000"
    segments = traces.read_traces([failed.trace_id.iloc[0], missing], settings=settings)
    assert _types(segments, frames.TRACE_SEGMENTS) and segments.attrs["unprocessed"] == [missing]
    call = segments.loc[segments.fault & (segments.depth == 1)].iloc[0]
    assert call["name"] == "payments-api" and call.namespace == "remote" and call.cause


@pytest.mark.parametrize(
    ("expression", "message"),
    [
        ("ok = true", "is not read by the local backend"),
        ('edge("a", "b")', "filter expression term"),
    ],
)
def test_a_filter_the_local_backend_cannot_read_is_an_error(settings, expression, message) -> None:
    with pytest.raises(ConfigurationError, match=message):
        traces.read_trace_summaries(*WINDOW, filter_expression=expression, settings=settings)


def test_a_bad_trace_id_is_refused_before_any_read(settings) -> None:
    with pytest.raises(ConfigurationError, match="not an X-Ray trace id: abc"):
        traces.read_traces(["abc"], settings=settings)


def test_canary_runs_and_their_metrics(settings) -> None:
    runs = canaries.read_canary_runs(*WINDOW, settings=settings)
    assert _types(runs, frames.CANARY_RUNS)
    assert runs.groupby("canary").size().to_dict() == {"catalog-browse": 12, "checkout-flow": 60}
    failed = runs.loc[runs.state == "FAILED"]
    assert set(failed.canary) == {"checkout-flow"} and failed.started.min() < pd.Timestamp(
        "2026-11-14T14:05Z"
    )
    assert failed.state_reason.str.startswith("Step place-order failed").all()
    one = canaries.read_canary_runs(*WINDOW, canaries=["catalog-browse"], settings=settings)
    assert set(one.canary) == {"catalog-browse"}
    with pytest.raises(
        ConfigurationError, match="no canary login: the canaries are catalog-browse, checkout-flow"
    ):
        canaries.read_canary_runs(*WINDOW, canaries=["login"], settings=settings)
    success = metrics.get(["CloudWatchSynthetics SuccessPercent CanaryName=checkout-flow stat=Average"],
                          *WINDOW, settings=settings)  # fmt: skip
    per_minute = success.set_index("timestamp").value
    assert per_minute.min() == 0 and per_minute.max() == 100
    flow = runs.loc[runs.canary == "checkout-flow"]
    ran = flow.set_index(flow.started.dt.floor("min")).state
    assert ((per_minute == 0) == (ran.reindex(per_minute.index) == "FAILED")).all()


def test_triage_names_the_failing_edge_and_says_the_canary_failed_before_the_alarm(
    settings,
) -> None:
    result = triage("checkout-api", *WINDOW, checks=FIRST_CHECKS, settings=settings)
    assert list(result.checks) == list(FIRST_CHECKS)
    found = result.found()
    dependency = found.loc[found.check == "dependencies"].iloc[0]
    assert dependency.what == "dependency checkout-api -> payments-api failing and slowed"
    assert dependency.severity == 1 and "first faulted trace 14:02 UTC: 1-" in dependency.detail
    canary = found.loc[found.check == "canaries"].iloc[0]
    assert (
        canary.what == "canary checkout-flow failing" and canary.since.strftime("%H:%M") == "14:02"
    )
    assert (
        "failed 3 min before the first alarm (checkout-api-alb-target-5xx at 14:05 UTC)"
        in canary.detail
    )
    # the likely causes come first: the deployment, then the dependency and the canary, then alarms
    assert found.check.tolist()[:4] == ["changes", "dependencies", "canaries", "alarms"]
    assert result.next_runbook() == "runbooks/api-5xx.ipynb"


def test_the_checks_never_pass_without_their_data(sample_dir: Path, tmp_path: Path) -> None:
    copy = tmp_path / "sample"
    copy.mkdir()
    for entry in sample_dir.iterdir():  # the sample (links, nothing is written) but three sources
        if entry.name not in ("cur", "traces", "canaries"):
            (copy / entry.name).symlink_to(entry)
    result = triage("checkout-api", *WINDOW, checks=("alarms", "canaries", "dependencies"),
                    settings=resolve(backend="local", data_dir=str(copy)))  # fmt: skip
    assert (
        result.checks["canaries"].status == ERROR
        and "describe-canaries.json" in result.checks["canaries"].summary
    )
    assert (
        result.checks["dependencies"].status == ERROR
        and "no traces/ folder" in result.checks["dependencies"].summary
    )
    assert {"canaries", "dependencies"} <= set(result.found().query("severity == 4").check)


def test_a_quiet_hour_passes_both_checks(settings) -> None:
    result = triage("checkout-api", "2026-11-14T10:00Z", "2026-11-14T11:00Z",
                    checks=("canaries", "dependencies"), settings=settings)  # fmt: skip
    assert {c.status for c in result.checks.values()} == {PASS}, result.summary()


def test_a_broken_trace_file_is_named(sample_dir: Path, tmp_path: Path) -> None:
    copy = tmp_path / "sample"
    shutil.copytree(sample_dir / "traces", copy / "traces")
    broken = copy / "traces" / "batch-get-traces" / "2026" / "11" / "14" / "14.json"
    broken.write_text(json.dumps({"Traces": "nope"}))
    with pytest.raises(UnreadableFileError, match="14.json"):
        traces.read_service_graph(*WINDOW, settings=resolve(backend="local", data_dir=str(copy)))
    skipping = resolve(backend="local", data_dir=str(copy), skip_unreadable=True)
    assert traces.read_service_graph(*WINDOW, settings=skipping).attrs["skipped"][0]["file"] == str(
        broken
    )
    with pytest.raises(NoDataError, match="no traces/ folder"):
        traces.read_service_graph(
            *WINDOW, settings=resolve(backend="local", data_dir=str(tmp_path))
        )


def test_trace_evidence_lists_failing_and_slowest_calls_with_trace_ids(settings) -> None:
    evidence = trace_evidence(
        pd.Timestamp(WINDOW[0]), pd.Timestamp(WINDOW[1]), "checkout-api", top=5, settings=settings
    )
    failing = evidence.loc[evidence.kind == "failing"]
    assert len(failing) == 5 and set(failing.callee) == {"payments-api"}
    assert (
        set(failing.version) == {"checkout-api:43"}
        and failing.trace_id.str.match(r"1-[0-9a-f]{8}-").all()
    )
    assert (evidence.kind == "slowest").sum() == 5


@pytest.mark.parametrize("operation", ["xray:GetServiceGraph", "xray:GetTraceSummaries", "xray:BatchGetTraces",
                                       "synthetics:DescribeCanaries", "synthetics:GetCanaryRuns"])  # fmt: skip
def test_the_read_only_guard_lets_the_trace_and_canary_reads_through(operation: str) -> None:
    assert is_read_only(operation)


def test_the_trace_drill_shows_the_graph_before_and_after_the_change(settings) -> None:
    from opsbook.incident import drill_traces

    drill = drill_traces("checkout-api", "2026-11-14T13:45Z", "2026-11-14T15:00Z",
                         change_at="2026-11-14T13:58:00Z", top=3, settings=settings)  # fmt: skip
    assert drill.status() == FINDING and drill.figures() == {
        "moved_edge": "checkout-api -> payments-api"
    }
    top = drill.graph.iloc[0]
    assert top.moved == "both" and top.bad_rate_before == 0 and top.p99_ms_after == 2000
    assert drill.findings()[0].startswith(
        "dependency checkout-api -> payments-api failing and slowed after 13:58 UTC"
    )
    assert drill.findings()[1].startswith(
        "first failing call payments-api at 14:02 UTC in trace 1-"
    )
    slowest = drill.evidence.loc[drill.evidence.kind == "slowest"]
    assert slowest.duration_ms.is_monotonic_decreasing and len(slowest) == 3
    # without a change, before is the baseline; without traces, the sections say ERROR
    assert drill_traces("checkout-api", *WINDOW, settings=settings).split == pd.Timestamp(WINDOW[0])
    broken = drill_traces(
        "checkout-api",
        *WINDOW,
        settings=settings.replace(data_dir=str(Path(settings.data_dir) / "alarms")),
    )
    assert broken.status() == ERROR and "ERROR" in repr(broken.section("graph"))


def test_transaction_search_spans_read_into_the_same_frames(
    sample_dir: Path, sample_spans: Path
) -> None:
    """The traces written as aws/spans (OpenTelemetry span JSON), not as BatchGetTraces files."""
    from opsbook.sample import FACTS_FILE

    facts = json.loads((sample_spans / FACTS_FILE).read_text())
    assert facts["spans"]["log_group"] == "aws/spans" and not (sample_spans / "traces").exists()
    spans = resolve(backend="local", data_dir=str(sample_spans))
    xray = resolve(backend="local", data_dir=str(sample_dir))
    graph = traces.read_service_graph(*WINDOW, settings=spans)
    pd.testing.assert_frame_equal(graph, traces.read_service_graph(*WINDOW, settings=xray))
    summaries = traces.read_trace_summaries(*WINDOW, filter_expression="fault", settings=spans)
    pd.testing.assert_frame_equal(
        summaries, traces.read_trace_summaries(*WINDOW, filter_expression="fault", settings=xray)
    )
    ids = summaries.trace_id.head(4).tolist()
    pd.testing.assert_frame_equal(
        traces.read_traces(ids, settings=spans), traces.read_traces(ids, settings=xray)
    )
    # an SLO whose SLI is the spans' latency (the local engine names the exported group /aws/spans)
    slo = parse_slos(SPANS_EXAMPLE.replace("[aws/spans]", "[/aws/spans]"))
    row = review_slos(slo, WINDOW[1], settings=spans).summary().iloc[0]
    assert row["name"] == "checkout-span-latency" and row.status == "page"
    assert 0.98 < row.attainment < 0.99


def test_an_slo_takes_its_sli_from_a_canary(settings) -> None:
    row = review_slos(parse_slos(CANARY_EXAMPLE), WINDOW[1], settings=settings).summary().iloc[0]
    runs = canaries.read_canary_runs(
        "2026-11-07T15:00Z", WINDOW[1], canaries=["checkout-flow"], settings=settings
    )
    assert row.events == len(runs) and row.bad_events == (runs.state == "FAILED").sum()
    assert row.status == "page"


def test_edge_changes_without_traces_on_either_side() -> None:
    from opsbook.incident.tracing import edge_changes

    empty = frames.service_edges_frame([])
    assert edge_changes(empty, empty, "checkout-api").empty
    new = frames.service_edges_frame([{"caller": "checkout-api", "callee": "payments-api", "requests": 10,
                                       "errors": 0, "faults": 5, "p99_ms": 100.0}])  # fmt: skip
    assert edge_changes(empty, new, "checkout-api").moved.tolist() == ["failing"]
