"""Latency regression on the sample org: checkout-api's p99 rises at 14:02 on 2026-11-14."""

from __future__ import annotations

import pandas as pd
import pytest
from opsbook.errors import ConfigurationError
from opsbook.incident import detect_change_point, drill_latency


def test_the_change_point_is_detected_at_the_p99_rise(local) -> None:
    drill = drill_latency("checkout-api", "2026-11-14T13:30Z", "2026-11-14T15:00Z", settings=local)
    assert drill.change_at == pd.Timestamp("2026-11-14T14:02Z")
    assert drill.change_source == "detected from ALB checkout-alb p99 latency metric"
    values = drill.figures()
    assert values["p99_after_ms"] > 5 * values["p99_before_ms"]
    routes = drill.by_route.set_index(["method", "route"])
    assert (
        routes.loc[("POST", "/checkout")].p99_change > 5
        and routes.loc[("GET", "/cart")].p99_change > 5
    )
    assert not drill.by_route.route.str.contains(r"ord-\d").any(), "ids in paths are masked"
    assert drill.by_dependency.iloc[0].dependency == "payments-gateway"
    assert (drill.slowest.time >= drill.change_at).all() and drill.slowest.latency_ms.iloc[0] > 3000
    assert set(drill.slow_lines.request_id) <= set(drill.slowest.request_id)
    assert drill.slow_lines.msg.str.contains("upstream timeout calling payments-gateway").any()


def test_a_given_change_point_is_used_and_checked(local) -> None:
    drill = drill_latency("checkout-api", "2026-11-14T13:00Z", "2026-11-14T15:00Z",
                          change_at="2026-11-14T13:58Z", settings=local)  # fmt: skip
    assert drill.change_source == "given" and drill.findings()[0].startswith(
        "change point 2026-11-14 13:58"
    )
    with pytest.raises(ConfigurationError, match="outside the window"):
        drill_latency("checkout-api", "2026-11-14T14:00Z", "2026-11-14T15:00Z",
                      change_at="2026-11-14T13:58Z", settings=local)  # fmt: skip


def test_a_steady_window_and_an_empty_one(local) -> None:
    steady = drill_latency("checkout-api", "2026-11-14T10:00Z", "2026-11-14T12:00Z", settings=local)
    assert steady.change_at is None and steady.findings()[0].startswith("no latency change point")
    empty = drill_latency("checkout-api", "2026-11-20T10:00Z", "2026-11-20T11:00Z", settings=local)
    assert empty.findings()[0].startswith("no data:") and empty.slowest.empty


def test_detect_change_point_finds_the_onset_and_ignores_noise() -> None:
    minutes = pd.date_range("2026-11-14T13:30Z", periods=60, freq="min")
    flat = pd.Series(200.0, index=minutes)
    flat.iloc[10] = 3000.0  # one slow minute is no regression
    assert detect_change_point(flat) is None
    step = flat.copy()
    step.iloc[32] = 480.0  # the ramp's first minute is the onset
    step.iloc[33:] = 2500.0
    assert detect_change_point(step) == minutes[32]
    assert detect_change_point(step.iloc[:6]) is None, "too short to split"
