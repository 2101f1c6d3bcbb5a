"""The fictional company behind the sample data: Northpeak Outfitters, an online outdoor retailer.

Every generator reads its accounts, services and injected events from here, so the CUR, logs,
metrics, alarms, CloudTrail and Health data tell one consistent story. Times are derived from the
``as_of`` date (UTC midnight that ends the data), never from the clock, so the data is reproducible.

Examples
--------
>>> import datetime as dt
>>> story = timeline(dt.date(2026, 11, 15))
>>> story.deploy_at.isoformat()
'2026-11-14T13:58:00+00:00'
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

COMPANY = "Northpeak Outfitters"
REGION = "us-east-1"
SECOND_REGION = "eu-west-1"

PAYER_ACCOUNT_ID = "210987654321"
PAYER_ACCOUNT_NAME = "northpeak-management"


@dataclass(frozen=True)
class Account:
    """A linked account of the organisation."""

    id: str
    name: str
    env: str
    cost_center: str


ACCOUNTS: tuple[Account, ...] = (
    Account(PAYER_ACCOUNT_ID, PAYER_ACCOUNT_NAME, "shared", "CC-100"),
    Account("334455667788", "shop-prod", "prod", "CC-210"),
    Account("334455667799", "shop-staging", "staging", "CC-210"),
    Account("445566778899", "data-platform", "prod", "CC-320"),
    Account("556677889900", "ml-research", "dev", "CC-410"),
    Account("667788990011", "shared-services", "prod", "CC-100"),
)
SHOP_PROD = ACCOUNTS[1]


@dataclass(frozen=True)
class Service:
    """An application service that writes logs and metrics."""

    name: str
    kind: str  # "ecs" or "lambda"
    log_group: str
    owner: str


CHECKOUT = Service("checkout-api", "ecs", "/ecs/checkout-api", "team-payments")
CATALOG = Service("catalog-api", "lambda", "/aws/lambda/catalog-api-handler", "team-catalog")
ORDERS = Service("orders-worker", "lambda", "/aws/lambda/orders-worker", "team-fulfilment")
SERVICES: tuple[Service, ...] = (CHECKOUT, CATALOG, ORDERS)

API_NAME = "shop-public-api"
API_ACCESS_LOG_GROUP = f"/aws/apigateway/{API_NAME}/access"
ECS_CLUSTER = "shop-prod"
LOAD_BALANCER = "app/checkout-alb/50dc6c495c0c9188"
TARGET_GROUP = "targetgroup/checkout-tg/6d0ecf831eec9f09"
DB_INSTANCE = "shop-orders-db"
METRIC_STREAM = "northpeak-ops-stream"
CUR_EXPORT = "northpeak-cur2"
LOG_DAYS = 7
METRIC_DAYS = 30
CLOSED_MONTHS = 3


@dataclass(frozen=True)
class Timeline:
    """The injected events, as UTC datetimes derived from ``as_of``."""

    as_of: dt.date
    end: dt.datetime  # exclusive end of logs and metrics: as_of at 00:00 UTC
    logs_start: dt.datetime
    metrics_start: dt.datetime
    cur_start: dt.date  # first day of the oldest closed billing period
    deploy_at: dt.datetime  # checkout-api bad deployment (ECS UpdateService)
    errors_start: dt.datetime
    rollback_at: dt.datetime
    errors_end: dt.datetime
    slow_burn_start: dt.datetime  # catalog-api error rate creeps up until the end
    cost_anomaly_day: dt.date  # NAT gateway data-processing spike in shop-prod
    mover_month: str  # billing period in which OpenSearch spend in data-platform triples
    health_start: dt.datetime
    health_end: dt.datetime


def timeline(as_of: dt.date) -> Timeline:
    """Return the sample organisation's injected events for data that ends at ``as_of``.

    Examples
    --------
    >>> timeline(dt.date(2026, 11, 15)).cost_anomaly_day
    datetime.date(2026, 11, 5)
    """
    end = dt.datetime.combine(as_of, dt.time(), tzinfo=dt.UTC)
    incident_day = end - dt.timedelta(days=1)
    deploy_at = incident_day + dt.timedelta(hours=13, minutes=58)
    first_of_month = as_of.replace(day=1)
    cur_start = _add_months(first_of_month, -CLOSED_MONTHS)
    return Timeline(
        as_of=as_of,
        end=end,
        logs_start=end - dt.timedelta(days=LOG_DAYS),
        metrics_start=end - dt.timedelta(days=METRIC_DAYS),
        cur_start=cur_start,
        deploy_at=deploy_at,
        errors_start=deploy_at + dt.timedelta(minutes=4),
        rollback_at=deploy_at + dt.timedelta(minutes=43),
        errors_end=deploy_at + dt.timedelta(minutes=49),
        slow_burn_start=end - dt.timedelta(days=3),
        cost_anomaly_day=as_of - dt.timedelta(days=10),
        mover_month=_add_months(first_of_month, -1).strftime("%Y-%m"),
        health_start=end - dt.timedelta(days=4, hours=-2),
        health_end=end - dt.timedelta(days=4, hours=-5),
    )


def _add_months(day: dt.date, months: int) -> dt.date:
    index = day.year * 12 + day.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)
