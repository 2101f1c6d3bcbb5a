"""opsbook.alarms on both backends: the sample's saved output, moto, and the same rows via Stubber."""

from __future__ import annotations

from pathlib import Path

import boto3
import pytest
from botocore.stub import Stubber
from opsbook import alarms
from opsbook.backends import frames
from opsbook.backends.aws import alarms as aws_alarms
from opsbook.errors import AccessDeniedError, ConfigurationError, QueryFailedError
from opsbook.settings import resolve


def _stubbed(monkeypatch: pytest.MonkeyPatch) -> Stubber:
    client = boto3.client("cloudwatch", region_name="us-east-1")
    stubber = Stubber(client)
    monkeypatch.setattr(aws_alarms, "client", lambda settings, service: client)
    stubber.activate()
    return stubber


def test_the_burn_rate_alarm_is_the_one_firing_at_the_end(local) -> None:
    firing = alarms.describe_alarms(settings=local)
    assert firing.alarm_name.tolist() == ["catalog-api-availability-burn-rate-1h"]
    row = firing.iloc[0]
    assert row.expression == "e1 = IF(m2 > 0, (m1 / m2) / 0.001, 0)"
    assert (row.period, row.threshold, row.datapoints_to_alarm) == (3600, 2.0, 2)
    assert firing.dtypes.to_dict() == frames.alarms_frame([]).dtypes.to_dict()
    everything = alarms.describe_alarms(None, settings=local)
    assert len(everything) == 11 and set(everything.state) == {"OK", "ALARM", "INSUFFICIENT_DATA"}
    p99 = everything.set_index("alarm_name").loc["checkout-api-alb-target-response-time-p99"]
    assert p99.statistic == "p99" and p99.metric_name == "TargetResponseTime"


def test_history_shows_the_checkout_alarm_from_1405_to_1450(local) -> None:
    history = alarms.read_alarm_history("2026-11-14T13:00Z", "2026-11-14T16:00Z",
                                        alarm_name="checkout-api-alb-target-5xx", settings=local)  # fmt: skip
    assert history.new_state.tolist() == ["ALARM", "OK"]
    assert history.timestamp.dt.strftime("%H:%M").tolist() == ["14:05", "14:50"]
    assert history.timestamp.is_monotonic_increasing
    assert history.dtypes.to_dict() == frames.alarm_history_frame([]).dtypes.to_dict()
    config = alarms.read_alarm_history("2026-10-01", "2026-11-15", item_type="ConfigurationUpdate",
                                       settings=local)  # fmt: skip
    assert len(config) == 2 and config.new_state.isna().all()


@pytest.mark.parametrize(
    "call",
    [
        pytest.param(lambda s: alarms.describe_alarms("FIRING", settings=s), id="state"),
        pytest.param(
            lambda s: alarms.read_alarm_history("2026-11-15", "2026-11-14", settings=s), id="window"
        ),  # fmt: skip
        pytest.param(
            lambda s: alarms.read_alarm_history(
                "2026-11-14", "2026-11-15", item_type="x", settings=s
            ),
            id="item-type",
        ),  # fmt: skip
    ],
)
def test_bad_arguments_are_refused(call, local) -> None:
    with pytest.raises(ConfigurationError):
        call(local)


def test_moto_alarms_come_back_in_the_shared_schema(aws_env: str, clean_env: Path) -> None:
    client = boto3.client("cloudwatch", region_name="us-east-1")
    dims = [{"Name": "FunctionName", "Value": "orders-worker"}]
    for name in ("orders-worker-errors", "orders-worker-throttles"):
        client.put_metric_alarm(AlarmName=name, Namespace="AWS/Lambda", MetricName="Errors",
                                Dimensions=dims, Statistic="Sum", Period=60, EvaluationPeriods=1,
                                Threshold=5.0, ComparisonOperator="GreaterThanThreshold")  # fmt: skip
    client.set_alarm_state(AlarmName="orders-worker-errors", StateValue="ALARM",
                           StateReason="Threshold Crossed")  # fmt: skip
    firing = alarms.describe_alarms(settings=resolve(backend="aws"))
    assert firing.alarm_name.tolist() == ["orders-worker-errors"]
    assert firing.iloc[0].dimensions == "FunctionName=orders-worker"
    assert firing.dtypes.to_dict() == frames.alarms_frame([]).dtypes.to_dict()


@pytest.mark.parametrize(
    ("code", "error"),
    [
        pytest.param("AccessDenied", AccessDeniedError, id="denied"),
        pytest.param("ExpiredToken", ConfigurationError, id="expired"),
        pytest.param("Throttling", QueryFailedError, id="throttled"),
    ],
)
def test_history_faults_mid_pagination_raise(
    code: str, error: type, monkeypatch: pytest.MonkeyPatch, clean_env: Path
) -> None:
    stubber = _stubbed(monkeypatch)
    stubber.add_response("describe_alarm_history", {"AlarmHistoryItems": [], "NextToken": "n"})
    stubber.add_client_error("describe_alarm_history", code, "no")
    with pytest.raises(error):
        alarms.read_alarm_history("2026-11-14", "2026-11-15", settings=resolve(backend="aws"))
