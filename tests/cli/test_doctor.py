from __future__ import annotations

from pathlib import Path

import boto3
import pytest
from botocore.stub import Stubber
from opsbook.backends.aws import doctor as aws_doctor
from opsbook.backends.local import doctor as local_doctor
from opsbook.cli._doctor import FAIL, PASS, SKIPPED, format_checks, run_checks
from opsbook.settings import resolve
from support import doctor


def _by_name(checks):
    return {c.name: c for c in checks}


def test_local_backend_on_the_sample_passes(
    sample_dir: Path, sample_cache: Path, clean_env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The backend's checks are the session's one run on the sample (``support.doctor``)."""
    settings = resolve(backend="local", data_dir=str(sample_dir), cache_dir=str(sample_cache))
    shared = doctor.checks(settings)
    monkeypatch.setattr(local_doctor, "checks", lambda _settings: shared)
    checks = _by_name(run_checks(settings))
    assert {c.status for c in checks.values()} == {PASS}
    assert checks["CUR"].detail == "4 billing periods, latest 2026-11"
    assert checks["logs"].detail.startswith("4 log groups")
    assert "AWS/Lambda" in checks["metrics"].detail


def test_a_missing_data_dir_fails_with_the_fix_and_skips_the_rest(tmp_path: Path) -> None:
    checks = run_checks(resolve(backend="local", data_dir=str(tmp_path / "none")))
    found = _by_name(checks)
    assert found["data dir"].status == FAIL and "opsbook sample generate" in found["data dir"].fix
    assert found["CUR"].status == SKIPPED, "a check that could not run never reads as healthy"
    table = format_checks(checks)
    assert "fix: run `opsbook sample generate`" in table


def test_an_empty_data_dir_fails_each_source(tmp_path: Path) -> None:
    found = _by_name(run_checks(resolve(backend="local", data_dir=str(tmp_path))))
    assert found["data dir"].status == PASS
    assert [found[n].status for n in ("CUR", "logs", "metrics", "incident data")] == [FAIL] * 4


@pytest.fixture
def aws_account(aws_env: str):
    glue = boto3.client("glue", region_name="us-east-1")
    glue.create_database(DatabaseInput={"Name": "cid_data_export"})
    glue.create_table(
        DatabaseName="cid_data_export",
        TableInput={
            "Name": "cur2",
            "PartitionKeys": [{"Name": "billing_period", "Type": "string"}],
            "StorageDescriptor": {
                "Columns": [{"Name": "line_item_unblended_cost", "Type": "double"}]
            },
        },
    )
    for period in ("2026-10", "2026-11"):
        glue.create_partition(
            DatabaseName="cid_data_export",
            TableName="cur2",
            PartitionInput={"Values": [period], "StorageDescriptor": {"Columns": []}},
        )
    boto3.client("s3", region_name="us-east-1").create_bucket(Bucket="athena-results")
    boto3.client("logs", region_name="us-east-1").create_log_group(logGroupName="/ecs/checkout-api")
    return aws_env


def test_aws_backend_against_moto(aws_account: str, clean_env: Path) -> None:
    settings = resolve(backend="aws", athena_output_location="s3://athena-results/opsbook/")
    found = _by_name(run_checks(settings))
    assert {n: c.status for n, c in found.items()} == dict.fromkeys(found, PASS), format_checks(
        list(found.values())
    )
    assert found["credentials"].detail.startswith("account 123456789012")
    assert found["CUR table"].detail.endswith("partitioned by billing_period, latest 2026-11")


class _Clients:
    """The aws backend's clients, stubbed: the first calls of the checks refuse the caller."""

    def __init__(self) -> None:
        self.clients = {}

    def client(self, settings, service: str):
        if service not in self.clients:
            client = boto3.client(service, region_name="us-east-1")
            stub = Stubber(client)
            operation = {"sts": "get_caller_identity", "athena": "get_work_group"}.get(service)
            if operation:
                stub.add_client_error(operation, "AccessDeniedException", "not authorized", 400)
            stub.activate()
            self.clients[service] = client
        return self.clients[service]


def test_denied_credentials_fail_and_everything_else_is_skipped(
    clean_env: Path, monkeypatch
) -> None:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setattr(aws_doctor, "client", _Clients().client)
    checks = run_checks(resolve(backend="aws"))
    found = _by_name(checks)
    assert found["credentials"].status == FAIL
    assert "Grant sts:GetCallerIdentity" in found["credentials"].detail
    assert {found[n].status for n in ("athena workgroup", "CUR table", "logs")} == {SKIPPED}
