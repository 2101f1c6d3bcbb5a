"""The incident runbooks executed headless by papermill on the sample org; assertions on records."""

from __future__ import annotations

from pathlib import Path

import boto3
import nbformat
import papermill
import pytest
from moto_seed import moto_state, seed_incident, service_series
from opsbook.incident.services import find_service
from opsbook.incident.signals import signal_specs
from opsbook.kernel import ensure_kernel
from opsbook.logs import describe_log_groups
from opsbook.record import read_records
from opsbook.settings import resolve

ROOT = Path(__file__).resolve().parents[1]
PLOTLY = "application/vnd.plotly.v1+json"


def _run(name: str, tmp_path: Path, **parameters: object) -> nbformat.NotebookNode:
    output = tmp_path / Path(name).name
    papermill.execute_notebook(
        str(ROOT / name), str(output), parameters=parameters, kernel_name=ensure_kernel(),
        cwd=str(ROOT), progress_bar=False,
    )  # fmt: skip
    return nbformat.read(output, as_version=4)


def test_incident_triage_finds_the_deployment_and_links_to_api_5xx(
    sample_dir: Path, tmp_path: Path
) -> None:
    notebook = _run("runbooks/incident-triage.ipynb", tmp_path, data_dir=str(sample_dir),
                    start="2026-11-14T14:00Z", end="2026-11-14T15:00Z")  # fmt: skip
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

    drill = read_records(_run("runbooks/api-5xx.ipynb", tmp_path, data_dir=str(sample_dir),
                              start="2026-11-14T13:30Z", end="2026-11-14T15:00Z",
                              change_at="2026-11-14T13:58:00Z"))  # fmt: skip
    assert drill["failing_route"] == "/cart"
    assert any("checkout-api:43" in f for f in drill["api_5xx_findings"])


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
    monkeypatch.setenv("AWS_MAX_ATTEMPTS", "1")  # moto's unimplemented APIs answer 500: no retries
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
    assert drill["api_5xx_findings"][0].startswith(
        "logs ERROR: requests_by_route: QueryFailedError"
    )
    assert moto_state(boto3) == before  # read-only: the runs changed nothing moto holds
