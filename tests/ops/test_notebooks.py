"""The ops notebooks executed by papermill: on the pinned sample org, and on moto (aws backend).

On moto, the sections moto serves (DescribeLogGroups, DescribeLogStreams, DescribeAlarms, Athena
with queued results) must record the figures the local run records over the same data; those it
does not (DescribeAlarmHistory, CloudTrail LookupEvents) must record ERROR and the reason.
"""

from __future__ import annotations

import json
from pathlib import Path

import boto3
import nbformat
import pytest
from support.athena_replay import create_cur_table, queue_results, record_run, run_notebook
from support.moto_seed import seed_alarms, seed_logs
from support.notebooks import records

pytestmark = pytest.mark.kernel  # starts notebook kernels

ROOT = Path(__file__).resolve().parents[2]
OPS = ROOT / "notebooks" / "ops"
END = "2026-11-15"


def _run(name: str, tmp_path: Path, sample_dir: Path, **parameters: object) -> dict:
    parameters = {"data_dir": str(sample_dir), "backend": "local", **parameters}
    return records(OPS / name, tmp_path, parameters)


def test_delivery_metrics_notebook_records_the_failed_change(sample_dir, tmp_path) -> None:
    records = _run("delivery-metrics.ipynb", tmp_path, sample_dir, end=END,
                   accounts="334455667788")  # fmt: skip
    assert records["deployments"] == 19  # 17 releases and two observability-stack updates
    assert records["failed_changes"] == 1
    failed = records["failed"][0]
    assert (failed["service"], failed["version"]) == ("checkout-api", "checkout-api:43")
    assert failed["restore_minutes"] == pytest.approx(45, abs=0.5)
    assert (failed["alarm"], failed["slo"]) == ("checkout-api-alb-target-5xx", "checkout-latency")
    assert records["slo_signal"] == "evaluated"
    assert records["errors"] == {}
    assert records["findings"][1].startswith("failed change: checkout-api checkout-api:43")


def test_cloudwatch_hygiene_notebook_records_silent_and_stuck_alarms(sample_dir, tmp_path) -> None:
    records = _run("cloudwatch-hygiene.ipynb", tmp_path, sample_dir, end=END)
    assert records["silent_alarms"] == ["checkout-api-ecs-cpu-high", "orders-worker-throttles"]
    assert records["stuck_alarms"] == ["inventory-sync-errors"]
    # with the retired batch job's group that the savings opportunities price (sample.cur.provisioned)
    assert sorted(records["stale_log_groups"]) == [
        "/aws/ecs/legacy-batch",
        "/aws/lambda/inventory-sync",
    ]
    assert len(records["no_retention"]) == 4
    assert records["cloudwatch_usd"] > 0  # month defaults to the last closed one: 2026-10
    assert any("notify nobody" in f for f in records["findings"])


def _seed_log_groups(sample_dir: Path) -> None:
    """Put the sample's log groups into moto: retention as DescribeLogGroups shows, last events."""
    described = json.loads((sample_dir / "logs" / "describe-log-groups.json").read_text())
    logs = boto3.client("logs", region_name="us-east-1")
    names = [g["logGroupName"] for g in described["logGroups"]]
    # Creates every group; puts the last minutes of events, so each written group's newest event
    # is the one the local files hold (the stale group has none).
    seed_logs(logs, sample_dir, names, "2026-11-14T23:50Z", f"{END}T00:00Z")
    for group in described["logGroups"]:
        if "retentionInDays" in group:
            logs.put_retention_policy(logGroupName=group["logGroupName"],
                                      retentionInDays=group["retentionInDays"])  # fmt: skip


def test_cloudwatch_hygiene_on_aws_matches_local_and_flags_alarm_history(
    aws_env, sample_dir, tmp_path, monkeypatch
) -> None:
    notebook = OPS / "cloudwatch-hygiene.ipynb"
    parameters = {"end": END, "month": "2026-10"}
    local = record_run(notebook, parameters, sample_dir)
    assert local.names == ["cur/cloudwatch_spend"]
    setup = create_cur_table(sample_dir)
    queue_results(aws_env, local.queries)
    _seed_log_groups(sample_dir)
    seed_alarms(boto3.client("cloudwatch", region_name="us-east-1"), sample_dir, f"{END}T00:00Z")
    remote = run_notebook(notebook, tmp_path, parameters, setup, monkeypatch)
    expected = local.records
    for key in ("log_groups", "stale_log_groups", "silent_alarms", "stuck_alarms",
                "cloudwatch_usd"):  # fmt: skip
        assert remote[key] == expected[key], key
    # storedBytes on moto counts only the events put: the same groups, in another order.
    assert sorted(remote["no_retention"]) == sorted(expected["no_retention"])
    # moto has no DescribeAlarmHistory: that section is an error with its reason, not zero.
    assert expected["most_flapping"] == "orders-worker-duration-p99"
    assert remote["most_flapping"] is None
    assert list(remote["errors"]) == ["alarm history"]
    assert "DescribeAlarmHistory" in remote["errors"]["alarm history"]
    assert any(f.startswith("ERROR alarm history") for f in remote["findings"])
    shown = nbformat.read(tmp_path / f"aws-{notebook.name}", as_version=4)
    flapping = next(i for i, c in enumerate(shown.cells) if c.source == "## Flapping alarms")
    assert "ERROR" in json.dumps(shown.cells[flapping + 1].outputs)


def test_delivery_metrics_on_aws_shows_errors_for_what_moto_lacks(
    aws_env, sample_dir, tmp_path, monkeypatch
) -> None:
    notebook = OPS / "delivery-metrics.ipynb"
    seed_alarms(boto3.client("cloudwatch", region_name="us-east-1"), sample_dir, f"{END}T00:00Z")
    records = run_notebook(notebook, tmp_path, {"end": END}, monkeypatch=monkeypatch)
    # CloudTrail LookupEvents and DescribeAlarmHistory: ERROR with the reason, never zero.
    assert set(records["errors"]) == {"deployments", "alarm history"}
    assert "LookupEvents" in records["errors"]["deployments"]
    assert "DescribeAlarmHistory" in records["errors"]["alarm history"]
    for key in ("deployments", "failed_changes", "change_failure_rate", "failed", "incidents"):
        assert records[key] is None, key
    assert records["slo_signal"] == "unavailable"
    assert records["findings"][0].startswith("ERROR deployments")
    shown = nbformat.read(tmp_path / f"aws-{notebook.name}", as_version=4)
    rate = next(i for i, c in enumerate(shown.cells) if c.source == "## Change failure rate")
    assert "ERROR" in json.dumps(shown.cells[rate + 1].outputs)
