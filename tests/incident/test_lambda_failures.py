"""Lambda failures on the sample org: orders-worker runs out of memory and times out daily."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from opsbook.errors import ConfigurationError
from opsbook.incident import drill_lambda
from opsbook.incident.triage import Triage, available_runbook
from opsbook.settings import resolve


@pytest.fixture(scope="module")
def drill(sample_dir: Path):
    return drill_lambda("orders-worker", "2026-11-13T00:00Z", "2026-11-15T00:00Z",
                        settings=resolve(backend="local", data_dir=str(sample_dir)))  # fmt: skip


def test_daily_out_of_memory_kills_and_time_outs(drill) -> None:
    days = drill.by_day().set_index(["day", "kind"]).invocations
    for day in ("2026-11-13", "2026-11-14"):
        assert days[(day, "out of memory")] >= 1 and days[(day, "time-out")] >= 1
    oom = drill.failed.loc[drill.failed.kind == "out of memory"]
    assert (oom.max_memory_used_mb == oom.memory_size_mb).all() and set(oom.memory_size_mb) == {
        1024
    }
    timeouts = drill.failed.loc[drill.failed.kind == "time-out"]
    assert set(timeouts.timeout_s) == {15} and (timeouts.duration_ms == 15000).all()
    assert drill.failed.request_id.str.fullmatch(r"[0-9a-f-]{36}").all()


def test_by_version_from_the_log_stream(drill) -> None:
    table = drill.by_version.set_index("version")
    assert set(table.index) == {"33", "34"} and set(table.function) == {"orders-worker"}
    assert table.loc["34"].out_of_memory == 2 and table.loc["33"].out_of_memory == 4
    assert (table.cold_starts > 0).all() and (table.timeout_s == 15).all()
    assert (table.errors >= table.timeouts + table.out_of_memory).all()
    findings = drill.findings()
    assert any(f.startswith("orders-worker version 34: 2 out-of-memory") for f in findings)
    assert any("timed out at the configured 15 s" in f for f in findings)
    assert drill.metrics_error == "" and set(drill.series.metric) >= {
        "errors",
        "throttles",
        "duration_p99",
    }


def test_throttles_come_from_the_metrics(sample_dir: Path) -> None:
    burst = drill_lambda("orders-worker", "2026-11-05T19:30Z", "2026-11-05T21:00Z",
                         settings=resolve(backend="local", data_dir=str(sample_dir)))  # fmt: skip
    assert burst.metric_totals.set_index("function").throttles["orders-worker"] > 0
    findings = burst.findings()
    assert any("throttled invocation" in f for f in findings)
    assert (
        "no data: no Lambda log events for orders-worker in the window" in findings
    )  # logs start 11-08


def test_no_data_is_said_and_a_service_without_functions_fails(sample_dir: Path) -> None:
    settings = resolve(backend="local", data_dir=str(sample_dir))
    quiet = drill_lambda(
        "orders-worker", "2026-11-20T10:00Z", "2026-11-20T11:00Z", settings=settings
    )
    assert quiet.findings()[0].startswith("no data:") and quiet.failed.empty
    assert quiet.chart().layout.annotations[0].text == "no metric data in the window"
    with pytest.raises(ConfigurationError, match="checkout-api has no Lambda function"):
        drill_lambda("checkout-api", "2026-11-14T14:00Z", "2026-11-14T15:00Z", settings=settings)


def test_next_runbook_never_names_a_missing_file(tmp_path: Path, sample_dir: Path) -> None:
    (tmp_path / "runbooks").mkdir()
    assert available_runbook("runbooks/latency-regression.ipynb", root=tmp_path) == ""
    (tmp_path / "runbooks" / "api-5xx.ipynb").touch()
    assert (
        available_runbook("runbooks/lambda-failures.ipynb", root=tmp_path)
        == "runbooks/api-5xx.ipynb"
    )
    root = Path(__file__).resolve().parents[2]
    for path in ("lambda-failures", "latency-regression", "api-5xx"):
        assert (root / available_runbook(f"runbooks/{path}.ipynb")).is_file()
    # a triage of the Lambda service whose symptom is throttling points at a runbook that exists
    from opsbook.incident import triage

    settings = resolve(backend="local", data_dir=str(sample_dir))
    result: Triage = triage("orders-worker", "2026-11-14T13:00Z", "2026-11-14T14:00Z",
                            checks=("golden_signals",), settings=settings)  # fmt: skip
    assert (root / result.next_runbook()).is_file()
    assert pd.notna(result.window.start)
