"""The incident runbooks executed headless by papermill on the sample org; assertions on records.

Each runbook also runs on the aws backend against moto, seeded from the sample for its window:
what moto serves (Sum/Maximum metrics, alarms, Athena through queued results) must record the
local run's figures over the same data; what it cannot (percentiles, Logs Insights ``stats`` and
JSON fields, CloudTrail LookupEvents) must show ERROR naming the API, and the run goes on.
"""

from __future__ import annotations

from pathlib import Path

import boto3
import nbformat
import pytest
from opsbook.incident import drill_lambda
from opsbook.incident.lambda_failures import LAMBDA_METRICS
from opsbook.incident.services import find_service
from opsbook.incident.signals import signal_specs
from opsbook.logs import describe_log_groups
from opsbook.runner import read_records
from opsbook.settings import resolve
from support.athena_replay import (
    AWS_SETTINGS,
    create_cur_table,
    immediate_executions,
    queue_results,
    record_run,
    run_notebook,
)
from support.moto_seed import moto_state, seed_incident, service_series
from support.notebooks import execute

pytestmark = pytest.mark.kernel  # starts notebook kernels

ROOT = Path(__file__).resolve().parents[2]
PLOTLY = "application/vnd.plotly.v1+json"


def _run(name: str, tmp_path: Path, **parameters: object) -> nbformat.NotebookNode:
    return execute(name, tmp_path, parameters)


def test_incident_triage_finds_the_deployment_and_links_to_api_5xx(
    sample_dir: Path, tmp_path: Path
) -> None:
    # a new kernel (not a kept one): the run clock it records counts the imports
    notebook = execute("runbooks/incident-triage.ipynb", tmp_path, {"data_dir": str(sample_dir),
                       "start": "2026-11-14T14:00Z", "end": "2026-11-14T15:00Z"}, fresh=True)  # fmt: skip
    records = read_records(notebook)
    assert records["suspected_change"]["version"] == "checkout-api:43"
    assert records["suspected_change"]["time"] == "2026-11-14T13:58:00+00:00"
    assert records["findings"][0].startswith(
        "changes: UpdateService shop-prod/checkout-api to checkout-api:43"
    )
    assert any("5XX/error rate" in f for f in records["findings"])
    assert records["next_runbook"] == "runbooks/api-5xx.ipynb"
    assert records["triage_status"]["slo_burn"] == "FINDING"

    assert 0 < records["triage_s"] < records["first_findings_s"]  # the run clock counts imports too
    figures = [
        o for c in notebook.cells for o in c.get("outputs", []) if PLOTLY in o.get("data", {})
    ]
    assert len(figures) == 1 and len(figures[0]["data"][PLOTLY]["data"]) >= 3

    # the drill-down with the parameters triage hands it (one run, shared with the next test)
    drill = read_records(_run("runbooks/api-5xx.ipynb", tmp_path, data_dir=str(sample_dir),
                              **records["next_parameters"]))  # fmt: skip
    assert drill["failing_route"] == "/cart"
    assert any("checkout-api:43" in f for f in drill["findings"])


def test_every_triage_hand_off_runs_with_the_parameters_triage_gives(
    sample_dir: Path, tmp_path: Path
) -> None:
    triage = read_records(_run("runbooks/incident-triage.ipynb", tmp_path, data_dir=str(sample_dir),
                               start="2026-11-14T14:00Z", end="2026-11-14T15:00Z"))  # fmt: skip
    runbook, parameters = triage["next_runbook"], triage["next_parameters"]
    assert runbook and runbook != "runbooks/incident-triage.ipynb"
    # the change (13:58) came before triage's window: the hand-off's window starts before it
    assert (
        parameters["change_at"] == "2026-11-14T13:58:00Z"
        and parameters["start"] < "2026-11-14T13:58"
    )
    out = tmp_path / "next"
    out.mkdir()
    records = read_records(_run(runbook, out, data_dir=str(sample_dir), **parameters))
    assert records["status"] in ("FINDING", "PASS"), records["findings"]


def test_lambda_failures_names_the_daily_out_of_memory_kills(
    sample_dir: Path, tmp_path: Path
) -> None:
    records = read_records(_run("runbooks/lambda-failures.ipynb", tmp_path, data_dir=str(sample_dir),
                                start="2026-11-13T00:00Z", end="2026-11-15T00:00Z"))  # fmt: skip
    kinds = {(r["day"], r["kind"]) for r in records["lambda_failures_by_day"]}
    assert {("2026-11-13", "out of memory"), ("2026-11-14", "out of memory"),
            ("2026-11-13", "time-out"), ("2026-11-14", "time-out")} <= kinds  # fmt: skip
    assert any("out-of-memory" in f for f in records["findings"])


def test_latency_regression_finds_the_p99_rise(sample_dir: Path, tmp_path: Path) -> None:
    records = read_records(_run("runbooks/latency-regression.ipynb", tmp_path, data_dir=str(sample_dir),
                                start="2026-11-14T13:30Z", end="2026-11-14T15:00Z"))  # fmt: skip
    assert records["change_at"] == "2026-11-14T14:02:00+00:00"
    assert records["p99_after_ms"] > 5 * records["p99_before_ms"]
    assert any("payments-gateway" in f for f in records["findings"])


def test_cost_spike_names_the_nat_gateway(sample_dir: Path, tmp_path: Path) -> None:
    records = read_records(_run("runbooks/cost-spike.ipynb", tmp_path, data_dir=str(sample_dir),
                                start="2026-10-23", end="2026-11-15"))  # fmt: skip
    assert records["anomaly_day"] == "2026-11-05"
    assert records["top_usage_type"] == "USE1-NatGateway-Bytes"


def test_triage_and_api_5xx_run_on_aws_against_moto_and_show_what_could_not_run(
    sample_dir: Path, tmp_path: Path, aws_env: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The kernels inherit this process's environment: AWS_ENDPOINT_URL points them at moto.
    local = resolve(backend="local", data_dir=str(sample_dir))
    service = find_service("checkout-api", settings=local)
    texts = [t for spec in signal_specs(service) for t in (*spec.series, *spec.total)]
    access = [
        g for g in describe_log_groups(settings=local).log_group if g.startswith("/aws/apigateway/")
    ]
    seed_incident(boto3, sample_dir, start="2026-11-14T14:00Z", end="2026-11-14T15:00Z",
                  baseline_start="2026-11-14T13:00Z", series=service_series(texts),
                  log_groups=[*service.log_groups, *access], log_start="2026-11-14T13:30Z")  # fmt: skip
    before = moto_state(boto3)

    triage = read_records(_run("runbooks/incident-triage.ipynb", tmp_path, backend="aws",
                               data_dir=str(sample_dir), start="2026-11-14T14:00Z",
                               end="2026-11-14T15:00Z"))  # fmt: skip
    status = triage["triage_status"]
    assert status["golden_signals"] == status["alarms"] == "FINDING"
    assert {status[c] for c in ("health", "changes", "top_errors", "slo_burn")} <= {
        "ERROR",
        "SKIPPED",
    }
    assert any(f.startswith("health: health ERROR (could not run: QueryFailedError: health:DescribeEvents")
               for f in triage["findings"])  # fmt: skip
    assert any(
        f.startswith("top_errors: top_errors ERROR") and "StartQuery" in f
        for f in triage["findings"]
    )
    assert any("5XX/error rate" in f for f in triage["findings"])
    assert triage["next_runbook"] == "runbooks/api-5xx.ipynb" and triage["first_findings_s"] > 0

    drill = read_records(_run("runbooks/api-5xx.ipynb", tmp_path, backend="aws", data_dir=str(sample_dir),
                              start="2026-11-14T13:30Z", end="2026-11-14T15:00Z",
                              change_at="2026-11-14T13:58:00Z"))  # fmt: skip
    assert drill["failing_route"] is None  # moto's Logs Insights cannot count: said, not hidden
    assert drill["findings"][0].startswith("logs ERROR: requests_by_route: QueryFailedError")
    assert moto_state(boto3) == before  # read-only: the runs changed nothing moto holds


def _section(notebook: nbformat.NotebookNode, call: str) -> str:
    """Return the plain-text output of the code cell that ends with ``call``."""
    cell = next(c for c in notebook.cells if c.cell_type == "code" and c.source.endswith(call))
    return "".join(o.get("data", {}).get("text/plain", "") for o in cell.outputs)


def test_lambda_failures_on_aws_against_moto_records_the_local_metrics_and_names_what_failed(
    sample_dir: Path, tmp_path: Path, aws_env: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    start, end = "2026-11-13T16:00Z", "2026-11-13T19:00Z"  # a time-out and two out-of-memory kills
    texts = [f"AWS/Lambda {metric} FunctionName=orders-worker stat={stat}"
             for metric, stat in LAMBDA_METRICS.values()]  # fmt: skip
    seeded = seed_incident(boto3, sample_dir, start=start, end=end, baseline_start=start,
                           series=service_series(texts), log_groups=["/aws/lambda/orders-worker"])  # fmt: skip
    assert seeded["datapoints"] > 700 and seeded["log_events"] > 500
    before = moto_state(boto3)
    local = drill_lambda("orders-worker", start, end,
                         settings=resolve(backend="local", data_dir=str(sample_dir))).figures()  # fmt: skip
    assert {d["kind"] for d in local["lambda_failures_by_day"]} == {"time-out", "out of memory"}

    notebook = _run("runbooks/lambda-failures.ipynb", tmp_path, backend="aws",
                    data_dir=str(sample_dir), start=start, end=end)  # fmt: skip
    remote = read_records(notebook)
    # sums and peaks moto serves are the local figures; the percentile it cannot compute is None
    totals, expected = remote["lambda_metric_totals"]["orders-worker"], local["lambda_metric_totals"]["orders-worker"]  # fmt: skip
    assert expected["invocations"] > 0 and expected["worst_p99_ms"] > 0
    assert totals == {**expected, "worst_p99_ms": None}
    assert remote["lambda_throttles"] == local["lambda_throttles"]
    findings = remote["findings"]
    assert findings[0].startswith("metrics ERROR: duration_p99: QueryFailedError") and "GetMetricData" in findings[0]  # fmt: skip
    assert findings[1].startswith("logs ERROR: lambda_by_version: QueryFailedError")
    assert "StartQuery" in findings[1] and "lambda_failed_invocations" in findings[1]
    assert not any(f.startswith(("no failure", "no data")) for f in findings)
    # the log sections say ERROR and why instead of an empty table that reads as "no failure"
    assert remote["lambda_failures_by_day"] == []
    for call in ('section("by_version"))', 'section("failed"))', 'section("by_day"))'):
        assert "ERROR" in _section(notebook, call) and "StartQuery" in _section(notebook, call)
    assert "ERROR" not in _section(notebook, 'section("metric_totals"))')
    assert moto_state(boto3) == before  # read-only: the run changed nothing moto holds


def test_latency_regression_on_aws_against_moto_shows_errors_not_a_steady_p99(
    sample_dir: Path, tmp_path: Path, aws_env: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    start, end = "2026-11-14T13:30Z", "2026-11-14T15:00Z"
    service = find_service(
        "checkout-api", settings=resolve(backend="local", data_dir=str(sample_dir))
    )
    texts = [t for spec in signal_specs(service) for t in (*spec.series, *spec.total)]
    seed_incident(boto3, sample_dir, start=start, end=end, baseline_start=start,
                  series=service_series(texts), log_groups=service.log_groups)  # fmt: skip
    before = moto_state(boto3)

    notebook = _run("runbooks/latency-regression.ipynb", tmp_path, backend="aws",
                    data_dir=str(sample_dir), start=start, end=end)  # fmt: skip
    remote = read_records(notebook)
    # moto computes no p99 and its Logs Insights reads no JSON field: both said, nothing inferred
    assert remote["change_at"] is None and remote["p99_before_ms"] is None
    assert remote["change_source"] == "the p99 could not be read (see the ERROR findings)"
    findings = remote["findings"]
    assert findings[0].startswith("metrics ERROR: ALB checkout-alb p99: QueryFailedError")
    assert "GetMetricData" in findings[0]
    assert findings[1].startswith("logs ERROR: request_latencies: QueryFailedError")
    assert "StartQuery" in findings[1] and "request_problem_lines" in findings[1]
    assert not any(f.startswith("no ") for f in findings)
    for call in ('section("by_route"))', 'section("by_dependency"))', 'section("slowest"))',
                 'section("slow_lines"))'):  # fmt: skip
        assert "ERROR" in _section(notebook, call) and "StartQuery" in _section(notebook, call)
    assert moto_state(boto3) == before


def test_cost_spike_on_aws_against_moto_records_the_local_anomaly_and_names_cloudtrail(
    sample_dir: Path, tmp_path: Path, aws_env: str, clean_env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    notebook = ROOT / "runbooks" / "cost-spike.ipynb"
    parameters = {"start": "2026-10-23", "end": "2026-11-15"}
    settings = create_cur_table(sample_dir, AWS_SETTINGS)
    local = record_run(notebook, parameters, sample_dir)
    assert local.records["anomaly_day"] == "2026-11-05" and local.records["top_usage_type"] == "USE1-NatGateway-Bytes"  # fmt: skip
    queue_results(aws_env, local.queries)
    glue = boto3.client("glue", region_name=settings["region"])
    tables, state = glue.get_tables(DatabaseName=settings["athena_database"])["TableList"], moto_state(boto3)  # fmt: skip
    with immediate_executions(aws_env):
        remote = run_notebook(notebook, tmp_path, parameters, settings, monkeypatch)
    # every figure Athena serves is the local one (the queued results are the local engine's)
    drilled = ("anomaly_day", "anomaly_account", "anomaly_service", "anomaly_impact_usd",
               "top_usage_type", "top_resource")  # fmt: skip
    assert {k: remote[k] for k in drilled} == {k: local.records[k] for k in drilled}
    assert remote["findings"][:2] == local.records["findings"][:2]
    # moto has no CloudTrail LookupEvents: the changes section is an ERROR, not "no change"
    assert local.records["findings"][2].startswith("no CloudTrail") or "CloudTrail change(s)" in local.records["findings"][2]  # fmt: skip
    assert remote["findings"][2].startswith("changes ERROR: QueryFailedError")
    assert "cloudtrail:LookupEvents" in remote["findings"][2]
    shown = _section(
        nbformat.read(tmp_path / f"aws-{notebook.name}", as_version=4), 'section("changes"))'
    )
    assert "ERROR" in shown and "LookupEvents" in shown
    athena = boto3.client("athena", region_name=settings["region"])
    assert len(athena.list_query_executions()["QueryExecutionIds"]) == len(local.queries)
    assert glue.get_tables(DatabaseName=settings["athena_database"])["TableList"] == tables
    assert moto_state(boto3) == state
