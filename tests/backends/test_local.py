"""The local backend over the session's sample organisation (as of 2026-11-15)."""

from __future__ import annotations

import pandas as pd
from opsbook import logs, metrics
from opsbook.backends import frames

# The CUR (athena) tests live in tests/sources/test_athena.py.


def test_log_groups_from_both_delivery_formats(local) -> None:
    groups = logs.describe_log_groups(settings=local).set_index("log_group")
    assert sorted(groups.index) == [
        "/aws/apigateway/shop-public-api/access",
        "/aws/lambda/catalog-api-handler",
        "/aws/lambda/orders-worker",
        "/ecs/checkout-api",
    ]
    assert groups.loc["/aws/apigateway/shop-public-api/access", "format"] == "firehose"
    assert groups.loc["/ecs/checkout-api", "format"] == "export"
    assert (groups.events > 1000).all()
    assert groups.first_event.min() >= pd.Timestamp("2026-11-08", tz="UTC")
    assert groups.last_event.max() < pd.Timestamp("2026-11-15", tz="UTC")


def test_metric_namespaces_from_metric_streams(local) -> None:
    namespaces = metrics.describe_namespaces(settings=local)
    # AWS/DynamoDB, AWS/EBS, AWS/EC2 and CWAgent: the planted savings opportunities' evidence.
    assert namespaces.namespace.tolist() == [
        "AWS/ApiGateway", "AWS/ApplicationELB", "AWS/DynamoDB", "AWS/EBS", "AWS/EC2", "AWS/ECS",
        "AWS/Lambda", "AWS/RDS", "CWAgent",
        "CloudWatchSynthetics",  # the canaries' metrics, a second metric stream
    ]  # fmt: skip
    assert namespaces.dtypes.to_dict() == frames.namespaces_frame([]).dtypes.to_dict()
    lambda_ = namespaces.set_index("namespace").loc["AWS/Lambda"]
    assert lambda_.series == 10, "5 metrics for each of 2 functions"
    assert str(namespaces["first"].min()) == "2026-10-16 00:00:00+00:00"
