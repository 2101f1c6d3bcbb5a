"""Triage on the sample org: the findings name the checkout-api deployment and the 5XX burst."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import pytest
from opsbook.errors import ConfigurationError, QueryFailedError
from opsbook.incident import FIRST_CHECKS, Triage, drill_5xx, resolve_window, triage
from opsbook.incident.patterns import mask_message
from opsbook.settings import resolve

START, END = "2026-11-14T14:00Z", "2026-11-14T15:00Z"


@pytest.fixture(scope="module")
def result(sample_dir: Path):
    return triage("checkout-api", START, END, checks=FIRST_CHECKS,
                  settings=resolve(backend="local", data_dir=str(sample_dir)))  # fmt: skip


def test_findings_name_the_deployment_before_the_5xx_burst(result) -> None:
    found = result.found()
    first = found.iloc[0]
    assert first.check == "changes" and "checkout-api:43" in first.what
    assert first.since == pd.Timestamp("2026-11-14T13:58Z")
    signals = found.loc[found.check == "golden_signals"].set_index("what")
    burst = signals.loc["ALB checkout-alb 5XX/error rate %"]
    assert burst.since == pd.Timestamp("2026-11-14T14:02Z") and burst.value > 100 * burst.baseline
    change = result.suspected_change()
    assert change.version == "checkout-api:43" and change.account_id == "334455667788"
    assert result.next_runbook() == "runbooks/api-5xx.ipynb"
    # the staging deployment of a same-named service is no finding for production
    assert not found.what.str.contains("checkout-api:68").any()


def test_every_check_reports_a_status(result) -> None:
    statuses = result.summary().status.to_dict()
    assert statuses == {"alarms": "FINDING", "canaries": "FINDING", "health": "PASS",
                        "changes": "FINDING", "golden_signals": "FINDING",
                        "dependencies": "FINDING", "top_errors": "FINDING"}  # fmt: skip
    patterns = result.frame("top_errors").pattern.tolist()
    assert "unhandled KeyError 'shipping_zone' in cart <hex>" in patterns


def test_an_empty_window_is_never_healthy(sample_dir: Path) -> None:
    quiet = triage("checkout-api", "2026-11-20T10:00Z", "2026-11-20T11:00Z",
                   checks=("golden_signals", "top_errors"),
                   settings=resolve(backend="local", data_dir=str(sample_dir)))  # fmt: skip
    assert set(quiet.summary().status) == {"SKIPPED"}
    assert (quiet.found().severity == 4).all()


def test_a_failed_source_is_an_error_and_the_rest_still_runs(result, tmp_path: Path) -> None:
    (tmp_path / "alarms").mkdir()
    (tmp_path / "alarms" / "describe-alarms.json").write_text("{not json")
    broken = Triage(result.service, result.window, result.settings.replace(data_dir=str(tmp_path)))
    broken.run("alarms")
    broken.checks["golden_signals"] = result.checks["golden_signals"]
    assert broken.checks["alarms"].status == "ERROR"
    assert "malformed JSON" in broken.checks["alarms"].summary
    found = broken.found()
    assert found.iloc[-1].what == "alarms ERROR" and found.iloc[-1].severity == 4
    assert (found.check == "golden_signals").sum() >= 3


def test_bad_parameters_fail_first(sample_dir: Path) -> None:
    settings = resolve(backend="local", data_dir=str(sample_dir))
    with pytest.raises(ConfigurationError, match="not after start"):
        resolve_window(END, START)
    with pytest.raises(ConfigurationError, match="at most"):
        resolve_window("2026-11-01", "2026-11-14")
    with pytest.raises(ConfigurationError, match="unknown service 'nope'.*checkout-api"):
        triage("nope", START, END, settings=settings)
    window = resolve_window(now=pd.Timestamp("2026-11-14T15:00:30Z"))
    assert (window.start, window.end) == (pd.Timestamp(START), pd.Timestamp(END))
    assert window.baseline_end == window.start


def test_drill_5xx_names_the_failing_route_and_version(sample_dir: Path) -> None:
    drill = drill_5xx("checkout-api", "2026-11-14T13:30Z", END, change_at="2026-11-14T13:58Z",
                      settings=resolve(backend="local", data_dir=str(sample_dir)))  # fmt: skip
    assert drill.failing_route() == "/cart"
    assert drill.by_version.iloc[0].version == "checkout-api:43"
    assert drill.by_version.iloc[0].rate_pct > 10 * drill.by_version.iloc[1].rate_pct
    row = drill.before_after.set_index("route").loc["/cart"]
    assert row.errors_5xx_after > row.errors_5xx_before


@pytest.mark.parametrize(("text", "masked"), [
    ("order ord-2143317 failed", "order ord-<n> failed"),
    ("req 333cfb02-9487-4e50-ace3-3cb3fed5d03d at 2026-11-14T14:59:51.844Z", "req <uuid> at <time>"),
    ("ptr 0xdeadbeef sha 28ebd0f", "ptr <hex> sha <hex>"),
    ("words only stay", "words only stay"),
])  # fmt: skip
def test_mask_message(text: str, masked: str) -> None:
    assert mask_message(text) == masked


def test_window_is_utc(sample_dir: Path) -> None:
    window = resolve_window("2026-11-14T16:00+02:00", "2026-11-14T17:00+02:00")
    assert window.start.tzinfo is not None and window.start.hour == 14
    assert window.end - window.start == dt.timedelta(hours=1)


def test_alarm_states_alone_answer_when_nothing_changed_since_the_window(
    result, monkeypatch: pytest.MonkeyPatch
) -> None:
    from opsbook import alarms

    def unavailable(*_: object, **__: object) -> None:
        raise QueryFailedError("cloudwatch:DescribeAlarmHistory failed: AccessDenied")

    monkeypatch.setattr(alarms, "read_alarm_history", unavailable)
    late = resolve_window("2026-11-14T23:00Z", "2026-11-14T23:59Z")  # after every state change
    quiet = Triage(result.service, late, result.settings)
    quiet.run("alarms")
    assert (
        quiet.checks["alarms"].status == "FINDING"
    )  # the catalog burn-rate alarm, history unasked
    assert quiet.found().what.tolist() == ["alarm catalog-api-availability-burn-rate-1h in ALARM"]

    # in the incident window the history is needed: without it, what cannot be known is said
    partial = Triage(result.service, result.window, result.settings)
    partial.run("alarms")
    check = partial.checks["alarms"]
    assert (
        check.status == "FINDING" and "DescribeAlarmHistory failed: AccessDenied" in check.summary
    )
    assert "checkout-api-alb-target-5xx" in check.summary  # changed in the window: fired unknown
    assert partial.found().set_index("what").loc["alarm history ERROR"].severity == 4


def test_signals_that_cannot_be_read_are_errors_never_health(
    result, monkeypatch: pytest.MonkeyPatch
) -> None:
    from opsbook import metrics

    real = metrics.get

    def no_percentiles(queries: dict, *args: object, **kwargs: object):
        if any("stat=p" in text for text in queries.values()):
            raise QueryFailedError("cloudwatch:GetMetricData failed: 500")
        return real(queries, *args, **kwargs)

    monkeypatch.setattr(metrics, "get", no_percentiles)
    partial = Triage(result.service, result.window, result.settings)
    partial.run("golden_signals")
    table = partial.frame("golden_signals").set_index("signal")
    assert set(table.loc[table.status == "error"].index) == {"p50 latency ms", "p99 latency ms"}
    assert table.loc["5XX/error rate %"].status == "abnormal"
    assert partial.checks["golden_signals"].status == "FINDING"

    calm = Triage(result.service, resolve_window("2026-11-14T10:00Z", "2026-11-14T11:00Z"),
                  result.settings)  # fmt: skip
    calm.run("golden_signals")
    assert calm.checks["golden_signals"].status == "ERROR"  # the rest is normal: not a PASS
    assert "2 signal(s) could not be read" in calm.checks["golden_signals"].summary
