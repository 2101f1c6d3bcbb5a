"""Triage on the aws backend against moto, seeded from the pinned sample's incident window.

What moto can answer (alarm states, Sum/Average metrics) must give the local backend's status;
what it cannot (alarm history, percentiles, CloudTrail LookupEvents, AWS Health, Logs Insights
``stats``) must come back ERROR or SKIPPED naming the API, never PASS. The read-only guard is on
and the seeded state is the same afterwards.
"""

from __future__ import annotations

from pathlib import Path

import boto3
import pytest
from opsbook.incident import ALL_CHECKS, read_only, triage
from opsbook.incident.signals import signal_specs
from opsbook.settings import resolve
from support.moto_seed import moto_state, seed_incident, service_series

START, END, BASELINE = "2026-11-14T14:00Z", "2026-11-14T15:00Z", "2026-11-14T13:00Z"
UNSERVED = {"health": "health:DescribeEvents", "changes": "cloudtrail:LookupEvents",
            "top_errors": "StartQuery", "slo_burn": ""}  # fmt: skip


@pytest.fixture(scope="module")
def local_triage(sample_dir: Path):
    return triage("checkout-api", START, END, checks=("alarms", "golden_signals"),
                  settings=resolve(backend="local", data_dir=str(sample_dir)))  # fmt: skip


def test_triage_on_moto_matches_local_and_never_passes_a_check_it_could_not_run(
    aws_env: str, sample_dir: Path, local_triage, monkeypatch: pytest.MonkeyPatch
) -> None:
    texts = [t for spec in signal_specs(local_triage.service) for t in (*spec.series, *spec.total)]
    seeded = seed_incident(boto3, sample_dir, start=START, end=END, baseline_start=BASELINE,
                           series=service_series(texts), log_groups=local_triage.service.log_groups)  # fmt: skip
    assert seeded["alarms"] == 11 and seeded["datapoints"] > 500 and seeded["log_events"] > 500
    before = moto_state(boto3)
    with read_only():
        result = triage("checkout-api", START, END, checks=ALL_CHECKS,
                        settings=resolve(backend="aws", data_dir=str(sample_dir)))  # fmt: skip
    assert moto_state(boto3) == before

    status = result.summary().status.to_dict()
    assert status["alarms"] == local_triage.checks["alarms"].status == "FINDING"
    assert status["golden_signals"] == local_triage.checks["golden_signals"].status == "FINDING"
    assert "PASS" not in status.values()
    for name, api in UNSERVED.items():
        assert status[name] in ("ERROR", "SKIPPED"), (name, status[name])
        assert api in result.checks[name].summary, result.checks[name].summary
    # moto computes no percentile and keeps no alarm history: the gaps are named, not hidden
    assert "cloudwatch:DescribeAlarmHistory" in result.checks["alarms"].summary
    signals = result.frame("golden_signals").set_index("signal")
    assert set(signals.loc[signals.status == "error"].index) == {"p50 latency ms", "p99 latency ms"}
    # what moto could answer is what the local backend reads from the same sample
    rate = "5XX/error rate %"
    expected = local_triage.frame("golden_signals").set_index("signal").loc[rate]
    assert signals.loc[rate].status == "abnormal"
    assert signals.loc[rate].window == pytest.approx(expected.window)
    assert signals.loc[rate].since == expected.since
    found = result.found()
    assert {"health ERROR", "changes ERROR", "top_errors ERROR", "alarm history ERROR"} <= set(
        found.what
    )
    assert (found.loc[found.what.str.endswith("ERROR"), "severity"] == 4).all()
    assert (
        found.iloc[0].check == "golden_signals"
        and result.next_runbook() == "runbooks/api-5xx.ipynb"
    )
