"""opsbook.metrics._math: parsing, checking and CloudWatch's semantics for missing datapoints."""

from __future__ import annotations

import math

import pandas as pd
import pytest
from opsbook.metrics._math import MetricMathError, check, evaluate, parse, references

MINUTE = 60_000
GRID = [i * MINUTE for i in range(5)]


def _series(points: dict[int, float]) -> pd.Series:
    return pd.Series(list(points.values()), index=[m * MINUTE for m in points], dtype=float)


M1 = _series({0: 10.0, 1: 20.0, 3: 40.0})  # minutes 2 and 4 missing
M2 = _series({0: 100.0, 1: 0.0, 2: 50.0, 3: 200.0, 4: 10.0})
METRICS = {"m1": ("errors", M1), "m2": ("calls", M2)}


def _one(expression: str) -> dict[int, float]:
    (label, series), *rest = evaluate({"e": expression}, METRICS, GRID, 60)["e"]
    assert not rest and label == ""
    return {int(t // MINUTE): v for t, v in series.items()}


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        pytest.param(
            "m1 / m2 * 100", {0: 10.0, 3: 20.0}, id="divide-by-zero-dropped-and-inner-join"
        ),
        pytest.param(
            "FILL(m1, 0) + m2", {0: 110.0, 1: 20.0, 2: 50.0, 3: 240.0, 4: 10.0}, id="fill-value"
        ),
        pytest.param(
            "FILL(m1, REPEAT)", {0: 10.0, 1: 20.0, 2: 20.0, 3: 40.0, 4: 40.0}, id="fill-repeat"
        ),
        pytest.param(
            "FILL(m1, LINEAR)", {0: 10.0, 1: 20.0, 2: 30.0, 3: 40.0, 4: 40.0}, id="fill-linear"
        ),
        pytest.param(
            "SUM(METRICS())",
            {0: 110.0, 1: 20.0, 2: 50.0, 3: 240.0, 4: 10.0},
            id="sum-metrics-union",
        ),
        pytest.param(
            "MAX(METRICS())", {0: 100.0, 1: 20.0, 2: 50.0, 3: 200.0, 4: 10.0}, id="max-metrics"
        ),
        pytest.param("RATE(m1)", {1: 10.0 / 60, 3: 20.0 / 120}, id="rate-per-second"),
        pytest.param("DIFF(m2)", {1: -100.0, 2: 50.0, 3: 150.0, 4: -190.0}, id="diff"),
        pytest.param("DIFF_TIME(m1)", {1: 60.0, 3: 120.0}, id="diff-time"),
        pytest.param("IF(m2 > 0, m1 / m2 * 100, 0)", {0: 10.0, 1: 0.0, 3: 20.0}, id="if-guard"),
        pytest.param("IF(m2 >= 100, m2)", {0: 100.0, 3: 200.0}, id="if-without-else"),
        pytest.param("m2 > 50 AND m2 < 150", {0: 1.0, 1: 0.0, 2: 0.0, 3: 0.0, 4: 0.0}, id="and"),
        pytest.param(
            "m1 - AVG(m1)",
            {0: -13.3333333, 1: -3.3333333, 3: 16.6666667},
            id="avg-of-one-is-a-number",
        ),
        pytest.param("-2 ^ 2 + m1 * 0", {0: -4.0, 1: -4.0, 3: -4.0}, id="precedence"),
        pytest.param("m1 / PERIOD(m1)", {0: 10 / 60, 1: 20 / 60, 3: 40 / 60}, id="period"),
        pytest.param("RUNNING_SUM(m1)", {0: 10.0, 1: 30.0, 3: 70.0}, id="running-sum"),
        pytest.param("ABS(-m1)", {0: 10.0, 1: 20.0, 3: 40.0}, id="abs"),
        pytest.param("100", dict.fromkeys(range(5), 100.0), id="a-number-spans-the-window"),
    ],
)
def test_cloudwatch_semantics(expression: str, expected: dict[int, float]) -> None:
    got = _one(expression)
    assert got.keys() == expected.keys()
    for minute, value in expected.items():
        assert math.isclose(got[minute], value, rel_tol=1e-6), (minute, got[minute], value)


def test_arrays_keep_each_series_label_and_expressions_chain() -> None:
    result = evaluate({"f": "FILL(METRICS(), 0)", "g": "e2 * 2", "e2": "m1 + 1"}, METRICS, GRID, 60)
    assert [label for label, _ in result["f"]] == ["errors", "calls"]
    assert all(len(series) == 5 for _, series in result["f"])
    assert result["g"][0][1].tolist() == [22.0, 42.0, 82.0]


@pytest.mark.parametrize(
    ("expression", "text"),
    [
        pytest.param("m1 +", "expected more", id="dangling"),
        pytest.param("FILL(m1, 0", "expected \\)", id="unclosed"),
        pytest.param("NOPE(m1)", "unknown function NOPE", id="unknown-function"),
        pytest.param("m1 $ 2", "unexpected character '\\$'", id="bad-character"),
        pytest.param("M1 * 2", "not a query id", id="upper-case-id"),
        pytest.param("m1 m2", "unexpected 'm2'", id="two-operands"),
        pytest.param("", "empty", id="empty"),
    ],
)
def test_malformed_expressions_are_refused(expression: str, text: str) -> None:
    with pytest.raises(MetricMathError, match=text):
        parse(expression)


def test_references_and_cycles_are_checked() -> None:
    assert references(parse("IF(m2 > 0, FILL(m1, REPEAT) / m2, e0)")) == {"m1", "m2", "e0"}
    with pytest.raises(MetricMathError, match="unknown id\\(s\\) m3"):
        check({"e": "m1 + m3"}, ["m1"])
    with pytest.raises(MetricMathError, match="refers to itself"):
        check({"a": "b + 1", "b": "a + 1"}, ["m1"])


def test_functions_cloudwatch_has_but_local_does_not_say_so() -> None:
    check({"e": "ANOMALY_DETECTION_BAND(m1, 2)"}, ["m1"])  # valid for CloudWatch
    with pytest.raises(MetricMathError, match="evaluated by CloudWatch only"):
        evaluate({"e": "ANOMALY_DETECTION_BAND(m1, 2)"}, METRICS, GRID, 60)
    with pytest.raises(MetricMathError, match="FILL takes 2 argument"):
        evaluate({"e": "FILL(m1)"}, METRICS, GRID, 60)
