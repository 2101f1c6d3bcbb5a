"""Cost spike on the sample org: the NAT gateway data-processing anomaly of 2026-11-05."""

from __future__ import annotations

import pytest
from opsbook.errors import ConfigurationError
from opsbook.incident import drill_cost_spike

NAT = "arn:aws:ec2:us-east-1:334455667788:natgateway/nat-029567c5a515d69c8"


def test_the_spike_is_drilled_down_to_the_nat_gateway(local) -> None:
    spike = drill_cost_spike("2026-10-23", "2026-11-15", settings=local)
    values = spike.figures()
    assert (values["anomaly_day"], values["anomaly_account"], values["anomaly_service"]) == (
        "2026-11-05", "334455667788", "AmazonEC2")  # fmt: skip
    assert values["top_usage_type"] == "USE1-NatGateway-Bytes" and values["top_resource"] == NAT
    top = spike.by_resource.iloc[0]
    assert top.spike_cost > 8 * top.typical_daily_cost and top.extra_cost > 500
    assert spike.daily.usage_day.nunique() == 15  # two weeks before and the spike day
    assert set(spike.changes.account_id) == {"334455667788"} and not spike.changes.empty
    assert spike.changes.event_time.min().date().isoformat() >= "2026-11-04"


def test_no_anomaly_and_a_wrong_filter_are_said(local) -> None:
    quiet = drill_cost_spike("2026-11-08", "2026-11-12", settings=local)
    assert quiet.anomaly is None and quiet.findings()[0].startswith("no cost anomaly")
    assert quiet.chart().layout.title.text == "Daily cost: no anomaly to show"
    with pytest.raises(
        ConfigurationError, match="no anomaly for account .* AmazonES.*334455667788/AmazonEC2"
    ):
        drill_cost_spike("2026-10-23", "2026-11-15", service="AmazonES", settings=local)
