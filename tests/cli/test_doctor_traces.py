"""``opsbook doctor`` on traces and canaries: readable data passes, a broken file or a denied call
is named, and a check that could not run never reads as healthy."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.stub import Stubber
from opsbook.backends.aws import doctor as aws_doctor
from opsbook.backends.local import doctor as local_doctor
from opsbook.cli._doctor import FAIL, PASS, SKIPPED, run_checks
from opsbook.settings import resolve

HOUR = Path("traces/batch-get-traces/2026/11/14/14.json")
RUNS = Path("canaries/get-canary-runs/checkout-flow/2026-11-14.json")


def _local(data_dir: Path) -> dict[str, Any]:
    return {
        c.name: c for c in local_doctor.checks(resolve(backend="local", data_dir=str(data_dir)))
    }


def test_the_sample_traces_and_canary_runs_are_read(sample_dir: Path) -> None:
    """The two probes alone (the whole doctor on the sample is ``test_doctor.py``'s)."""
    settings = resolve(backend="local", data_dir=str(sample_dir))
    assert local_doctor._traces(settings) == "2,880 traces in 24 BatchGetTraces files"
    assert local_doctor._canaries(sample_dir).startswith("2 canaries, ")


@pytest.fixture
def copied(sample_dir: Path, tmp_path: Path) -> Path:
    """The sample's traces and canaries, copied to be broken."""
    for part in ("traces", "canaries"):
        shutil.copytree(sample_dir / part, tmp_path / part)
    return tmp_path


def test_a_broken_trace_or_canary_file_is_named(copied: Path) -> None:
    (copied / HOUR).write_text('{"Traces": [')
    (copied / RUNS).write_text('{"Runs": []}')
    found = _local(copied)
    assert found["traces"].status == FAIL and str(copied / HOUR) in found["traces"].detail
    assert "malformed JSON" in found["traces"].detail and "BatchGetTraces" in found["traces"].fix
    assert found["canaries"].status == FAIL and str(copied / RUNS) in found["canaries"].detail
    assert "not a GetCanaryRuns answer (no CanaryRuns list)" in found["canaries"].detail


def test_missing_traces_and_canaries_fail(copied: Path) -> None:
    shutil.rmtree(copied / "traces")
    (copied / "canaries" / "describe-canaries.json").unlink()
    found = _local(copied)
    assert (
        found["traces"].status == FAIL
        and "no traces/ folder and no aws/spans" in found["traces"].detail
    )
    assert (
        found["canaries"].status == FAIL
        and "missing canaries/describe-canaries.json" in found["canaries"].detail
    )


def test_an_empty_or_missing_data_dir_never_reads_as_healthy(tmp_path: Path) -> None:
    empty = {c.name: c.status for c in run_checks(resolve(backend="local", data_dir=str(tmp_path)))}
    assert empty["traces"] == empty["canaries"] == FAIL
    missing = {c.name: c.status
               for c in run_checks(resolve(backend="local", data_dir=str(tmp_path / "none")))}  # fmt: skip
    assert missing["traces"] == missing["canaries"] == SKIPPED


def test_exported_spans_are_read_and_a_broken_span_is_named(
    sample_spans: Path, tmp_path: Path
) -> None:
    import gzip

    shutil.copytree(sample_spans, tmp_path, dirs_exist_ok=True)
    found = _local(tmp_path)["traces"]
    assert (
        found.status == PASS and " spans of 2,880 traces in the aws/spans log group" in found.detail
    )
    export = sorted((tmp_path / "logs" / "export" / "aws" / "spans").rglob("*.gz"))[0]
    with gzip.open(export, "at", encoding="utf-8") as lines:
        lines.write('2026-11-14T14:00:00.000Z {"spanId": "s1"}\n')
    found = _local(tmp_path)["traces"]
    assert found.status == FAIL and "not OpenTelemetry span JSON" in found.detail


# --- aws: a cheap read of each, the API and permission named when denied ---------------------


class _Account:
    """The doctor's clients, stubbed: credentials work; X-Ray, Logs and Synthetics answer as told."""

    def __init__(self) -> None:
        self.stubs: dict[str, Stubber] = {}
        self.clients: dict[str, Any] = {}
        self.stub("sts").add_response(
            "get_caller_identity",
            {"Account": "123456789012", "Arn": "arn:aws:iam::123456789012:user/x", "UserId": "x"},
        )

    def stub(self, service: str) -> Stubber:
        if service not in self.stubs:
            self.clients[service] = boto3.client(service, region_name="us-east-1")
            self.stubs[service] = Stubber(self.clients[service])
            self.stubs[service].activate()
        return self.stubs[service]

    def client(self, settings, service: str):
        self.stub(service)  # a service not told anything answers nothing (its check fails)
        return self.clients[service]


def _aws(account: _Account, monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setattr(aws_doctor, "client", account.client)
    return {c.name: c for c in aws_doctor.checks(resolve(backend="aws", region="us-east-1"))}


def test_aws_denied_reads_name_the_api_and_permission(
    clean_env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    account = _Account()
    xray = account.stub("xray")
    xray.add_client_error("get_trace_segment_destination", "AccessDeniedException", "no", 400)
    xray.add_client_error("get_service_graph", "AccessDeniedException", "not authorized", 400)
    account.stub("synthetics").add_client_error(
        "describe_canaries", "AccessDeniedException", "not authorized", 400
    )
    found = _aws(account, monkeypatch)
    assert found["traces"].status == FAIL and "Grant xray:GetServiceGraph" in found["traces"].detail
    assert found["canaries"].status == FAIL
    assert "Grant synthetics:DescribeCanaries" in found["canaries"].detail


def test_aws_canary_runs_are_read_for_the_first_canary(
    clean_env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    account = _Account()
    synthetics = account.stub("synthetics")
    synthetics.add_response("describe_canaries", {"Canaries": [{"Name": "checkout-flow"}]})
    synthetics.add_client_error("get_canary_runs", "AccessDeniedException", "not authorized", 400)
    found = _aws(account, monkeypatch)
    assert found["canaries"].status == FAIL
    assert "Grant synthetics:GetCanaryRuns" in found["canaries"].detail


@pytest.mark.parametrize("listed", [["aws/spans"], []], ids=["group-listed", "no-group"])
def test_aws_transaction_search_checks_the_spans_log_group(
    clean_env: Path, monkeypatch: pytest.MonkeyPatch, listed: list[str]
) -> None:
    account = _Account()
    account.stub("xray").add_response(
        "get_trace_segment_destination", {"Destination": "CloudWatchLogs", "Status": "ACTIVE"}
    )
    account.stub("logs").add_response(
        "describe_log_groups", {"logGroups": [{"logGroupName": "ecs"}]}, {"limit": 5}
    )
    account.stub("logs").add_response(
        "describe_log_groups",
        {"logGroups": [{"logGroupName": n} for n in listed]},
        {"logGroupNamePrefix": "aws/spans"},
    )
    found = _aws(account, monkeypatch)["traces"]
    if listed:
        assert found.status == PASS and found.detail.startswith("spans in the aws/spans log group")
    else:
        assert found.status == FAIL and "yet no aws/spans log group is listed" in found.detail


def test_aws_on_moto_reads_xray_and_synthetics(moto_settings) -> None:
    found = {c.name: c for c in aws_doctor.checks(moto_settings)}
    assert found["traces"].status == PASS, found["traces"]
    assert found["traces"].detail.startswith("X-Ray readable (0 services in the last 5 minutes;")
    assert (
        found["canaries"].status == PASS
        and found["canaries"].detail == "canaries readable (0 in the first page)"
    )
