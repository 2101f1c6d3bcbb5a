"""The rest of what the trail holds: manual changes, read-only noise, the on-call's look around.

Beside the deployments, CloudTrail records a few configuration changes by platform admins (none
related to the incident, one a plausible red herring on the incident morning), routine read-only
traffic (AWS Config, a Grafana data source, people in the console), the on-call engineer's reads
between the page and the rollback, and a little activity outside shop-prod.

Examples
--------
>>> import datetime as dt, random
>>> from opsbook.sample.incident.trail import Trail
>>> from opsbook.sample.org import timeline
>>> trail = Trail(random.Random(1))
>>> [c["event"] for c in record_config_changes(trail, timeline(dt.date(2026, 11, 15)))][-1]
'logs:PutRetentionPolicy'
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
from dataclasses import replace
from typing import Any

from opsbook.sample.episodes import CHECKOUT_5XX_ALARM
from opsbook.sample.incident.alarms import CATALOG_FUNCTION, ORDERS_FUNCTION
from opsbook.sample.incident.deployments import OBSERVABILITY_STACK, deploy_checkout
from opsbook.sample.incident.formats import (
    cli_seconds,
    floor_time,
    java_time,
    jitter,
    random_token,
    random_uuid,
)
from opsbook.sample.incident.trail import (
    ADMIN,
    ADMIN_CONSOLE,
    CLI_MAC,
    CONFIG,
    GRAFANA,
    ONCALL_CONSOLE,
    READERS,
    Actor,
    Trail,
)
from opsbook.sample.org import (
    ACCOUNTS,
    API_NAME,
    CHECKOUT,
    DB_INSTANCE,
    ECS_CLUSTER,
    LOAD_BALANCER,
    REGION,
    SECOND_REGION,
    SHOP_PROD,
    TARGET_GROUP,
    Timeline,
)

__all__ = [
    "ASSETS_BUCKET",
    "TRAIL_DAYS",
    "record_config_changes",
    "record_investigation",
    "record_noise",
    "record_other_accounts",
]

TRAIL_DAYS = 14  # the trail covers the two weeks the alarm history does
ASSETS_BUCKET = "northpeak-shop-assets"
_ACCT = SHOP_PROD.id
_SHOP_STAGING = next(a for a in ACCOUNTS if a.name == "shop-staging")
_DATA_PLATFORM = next(a for a in ACCOUNTS if a.name == "data-platform")


# ---- configuration changes -----------------------------------------------------------------


def record_config_changes(trail: Trail, story: Timeline) -> list[dict[str, Any]]:
    """Record a few manual changes by platform admins, none of them related to the incident."""
    rng = trail.rng
    end = story.end
    changes = []

    t = jitter(rng, end - dt.timedelta(days=9, hours=-16, minutes=-22), 0, 59)
    trail.call(
        ADMIN,
        t,
        "rds.amazonaws.com",
        "ModifyDBParameterGroup",
        {
            "dBParameterGroupName": "shop-orders-pg16",
            "parameters": [
                {
                    "parameterName": "work_mem",
                    "parameterValue": "16384",
                    "applyMethod": "immediate",
                },
                {
                    "parameterName": "log_min_duration_statement",
                    "parameterValue": "500",
                    "applyMethod": "immediate",
                },
            ],
        },
        {"dBParameterGroupName": "shop-orders-pg16"},
        user_agent=f"{CLI_MAC} md/command#rds.modify-db-parameter-group",
    )
    changes.append(
        {
            "time": cli_seconds(t),
            "event": "rds:ModifyDBParameterGroup",
            "target": "shop-orders-pg16",
        }
    )

    t = jitter(rng, end - dt.timedelta(days=7, hours=-11, minutes=-5), 0, 59)
    policy = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "CloudFrontRead",
                "Effect": "Allow",
                "Principal": {"Service": "cloudfront.amazonaws.com"},
                "Action": "s3:GetObject",
                "Resource": f"arn:aws:s3:::{ASSETS_BUCKET}/*",
                "Condition": {
                    "StringEquals": {
                        "AWS:SourceArn": f"arn:aws:cloudfront::{_ACCT}:distribution/E2QWRUHEXAMPLE"
                    }
                },
            }
        ],
    }
    trail.call(
        ADMIN_CONSOLE,
        t,
        "s3.amazonaws.com",
        "PutBucketPolicy",
        {
            "bucketPolicy": policy,
            "bucketName": ASSETS_BUCKET,
            "Host": f"{ASSETS_BUCKET}.s3.amazonaws.com",
            "policy": "",
        },
        None,
        additional={
            "SignatureVersion": "SigV4",
            "CipherSuite": "TLS_AES_128_GCM_SHA256",
            "bytesTransferredIn": 412,
            "AuthenticationMethod": "AuthHeader",
            "bytesTransferredOut": 0,
        },
        resources=[
            {"accountId": _ACCT, "type": "AWS::S3::Bucket", "ARN": f"arn:aws:s3:::{ASSETS_BUCKET}"}
        ],
        host=f"{ASSETS_BUCKET}.s3.amazonaws.com",
    )
    changes.append({"time": cli_seconds(t), "event": "s3:PutBucketPolicy", "target": ASSETS_BUCKET})

    t = jitter(rng, end - dt.timedelta(days=6, hours=-14, minutes=-47), 0, 59)
    rule_id = "sgr-0" + random_token(rng, 16, "0123456789abcdef")
    trail.call(
        ADMIN_CONSOLE,
        t,
        "ec2.amazonaws.com",
        "AuthorizeSecurityGroupIngress",
        {
            "groupId": "sg-0a4c7e19d2b35f681",
            "ipPermissions": {
                "items": [
                    {
                        "ipProtocol": "tcp",
                        "fromPort": 5432,
                        "toPort": 5432,
                        "groups": {
                            "items": [
                                {
                                    "groupId": "sg-03d9b1f5c7e2a4068",
                                    "description": "bastion to orders db",
                                }
                            ]
                        },
                        "ipRanges": {},
                        "ipv6Ranges": {},
                        "prefixListIds": {},
                    }
                ]
            },
        },
        {
            "requestId": random_uuid(rng),
            "_return": True,
            "securityGroupRuleSet": {
                "items": [
                    {
                        "groupOwnerId": _ACCT,
                        "groupId": "sg-0a4c7e19d2b35f681",
                        "securityGroupRuleId": rule_id,
                        "isEgress": False,
                        "ipProtocol": "tcp",
                        "fromPort": 5432,
                        "toPort": 5432,
                        "referencedGroupInfo": {"groupId": "sg-03d9b1f5c7e2a4068", "userId": _ACCT},
                        "description": "bastion to orders db",
                    }
                ]
            },
        },
    )
    changes.append(
        {
            "time": cli_seconds(t),
            "event": "ec2:AuthorizeSecurityGroupIngress",
            "target": "sg-0a4c7e19d2b35f681",
        }
    )

    # same morning as the incident, touching checkout's log group: a plausible red herring
    t = jitter(rng, story.deploy_at - dt.timedelta(hours=2, minutes=38), 0, 59)
    trail.call(
        ADMIN,
        t,
        "logs.amazonaws.com",
        "PutRetentionPolicy",
        {"logGroupName": CHECKOUT.log_group, "retentionInDays": 30},
        None,
        user_agent=f"{CLI_MAC} md/command#logs.put-retention-policy",
    )
    changes.append(
        {"time": cli_seconds(t), "event": "logs:PutRetentionPolicy", "target": CHECKOUT.log_group}
    )
    return changes


# ---- read-only noise -----------------------------------------------------------------------


def _reads() -> dict[
    str, tuple[str, str, Callable[[random.Random, dt.datetime], dict[str, Any] | None]]
]:
    """Read-only calls by name: (eventSource, eventName, requestParameters factory)."""
    fns = (CATALOG_FUNCTION, ORDERS_FUNCTION)
    alb_arn = f"arn:aws:elasticloadbalancing:{REGION}:{_ACCT}:loadbalancer/{LOAD_BALANCER}"
    tg_arn = f"arn:aws:elasticloadbalancing:{REGION}:{_ACCT}:{TARGET_GROUP}"

    def metric_data(rng: random.Random, t: dt.datetime) -> dict[str, Any]:
        ns, metric, dims = rng.choice(
            [
                (
                    "AWS/ApplicationELB",
                    "RequestCount",
                    [{"name": "LoadBalancer", "value": LOAD_BALANCER}],
                ),
                ("AWS/Lambda", "Invocations", [{"name": "FunctionName", "value": rng.choice(fns)}]),
                ("AWS/ApiGateway", "Latency", [{"name": "ApiName", "value": API_NAME}]),
                (
                    "AWS/RDS",
                    "CPUUtilization",
                    [{"name": "DBInstanceIdentifier", "value": DB_INSTANCE}],
                ),
            ]
        )
        return {
            "metricDataQueries": [
                {
                    "id": "a",
                    "metricStat": {
                        "metric": {"namespace": ns, "metricName": metric, "dimensions": dims},
                        "period": 60,
                        "stat": "Sum" if metric != "Latency" else "p99",
                    },
                    "returnData": True,
                }
            ],
            "startTime": java_time(floor_time(t, 60) - dt.timedelta(hours=3)),
            "endTime": java_time(floor_time(t, 60)),
        }

    return {
        "DescribeServices": (
            "ecs.amazonaws.com",
            "DescribeServices",
            lambda r, t: {"cluster": ECS_CLUSTER, "services": [CHECKOUT.name]},
        ),
        "DescribeTaskDefinition": (
            "ecs.amazonaws.com",
            "DescribeTaskDefinition",
            lambda r, t: {"taskDefinition": CHECKOUT.name, "include": ["TAGS"]},
        ),
        "ListTaskDefinitions": (
            "ecs.amazonaws.com",
            "ListTaskDefinitions",
            lambda r, t: {"familyPrefix": CHECKOUT.name, "sort": "DESC", "maxResults": 10},
        ),
        "GetFunction": (
            "lambda.amazonaws.com",
            "GetFunction20150331v2",
            lambda r, t: {"functionName": r.choice(fns)},
        ),
        "ListFunctions": ("lambda.amazonaws.com", "ListFunctions20150331", lambda r, t: None),
        "ListAliases": (
            "lambda.amazonaws.com",
            "ListAliases20150331",
            lambda r, t: {"functionName": r.choice(fns)},
        ),
        "DescribeSecurityGroups": (
            "ec2.amazonaws.com",
            "DescribeSecurityGroups",
            lambda r, t: {"securityGroupSet": {}, "securityGroupIdSet": {}, "maxResults": 1000},
        ),
        "DescribeDBInstances": (
            "rds.amazonaws.com",
            "DescribeDBInstances",
            lambda r, t: {"dBInstanceIdentifier": DB_INSTANCE},
        ),
        "GetBucketPolicy": (
            "s3.amazonaws.com",
            "GetBucketPolicy",
            lambda r, t: {
                "bucketName": ASSETS_BUCKET,
                "Host": f"{ASSETS_BUCKET}.s3.amazonaws.com",
                "policy": "",
            },
        ),
        "DescribeLogGroups": (
            "logs.amazonaws.com",
            "DescribeLogGroups",
            lambda r, t: {
                "logGroupNamePrefix": r.choice(["/ecs/", "/aws/lambda/", "/aws/apigateway/"])
            },
        ),
        "DescribeLoadBalancers": (
            "elasticloadbalancing.amazonaws.com",
            "DescribeLoadBalancers",
            lambda r, t: {"loadBalancerArns": [alb_arn]},
        ),
        "DescribeTargetHealth": (
            "elasticloadbalancing.amazonaws.com",
            "DescribeTargetHealth",
            lambda r, t: {"targetGroupArn": tg_arn},
        ),
        "DescribeAlarms": (
            "monitoring.amazonaws.com",
            "DescribeAlarms",
            lambda r, t: r.choice([None, {"stateValue": "ALARM"}, {"maxRecords": 100}]),
        ),
        "DescribeAlarmHistory": (
            "monitoring.amazonaws.com",
            "DescribeAlarmHistory",
            lambda r, t: {"alarmName": CHECKOUT_5XX_ALARM, "historyItemType": "StateUpdate"},
        ),
        "GetMetricData": ("monitoring.amazonaws.com", "GetMetricData", metric_data),
        "DescribeStacks": (
            "cloudformation.amazonaws.com",
            "DescribeStacks",
            lambda r, t: {"stackName": r.choice([OBSERVABILITY_STACK, ORDERS_FUNCTION])},
        ),
        "DescribeVpcs": (
            "ec2.amazonaws.com",
            "DescribeVpcs",
            lambda r, t: {"vpcSet": {}, "filterSet": {}},
        ),
    }


_READS = _reads()


def _read(
    trail: Trail,
    actor: Actor,
    t: dt.datetime,
    kind: str,
    *,
    region: str = REGION,
    user_agent: str | None = None,
) -> None:
    source, name, params = _READS[kind]
    request = params(trail.rng, t)
    trail.call(
        actor, t, source, name, request, None, read_only=True, region=region, user_agent=user_agent
    )


def record_noise(trail: Trail, story: Timeline) -> None:
    """Routine read-only traffic: AWS Config, a Grafana data source, people in the console."""
    rng = trail.rng
    start = story.end - dt.timedelta(days=TRAIL_DAYS)
    stop = story.end - dt.timedelta(minutes=20)  # every file is delivered before the end
    config_kinds = [
        "DescribeServices",
        "DescribeTaskDefinition",
        "GetFunction",
        "ListFunctions",
        "DescribeSecurityGroups",
        "DescribeDBInstances",
        "GetBucketPolicy",
        "DescribeLogGroups",
        "DescribeLoadBalancers",
        "DescribeAlarms",
    ]
    console_kinds = [
        "DescribeServices",
        "ListFunctions",
        "GetFunction",
        "DescribeAlarms",
        "DescribeDBInstances",
        "DescribeTargetHealth",
        "DescribeStacks",
        "DescribeLogGroups",
        "ListAliases",
        "GetMetricData",
    ]

    def burst(
        actor: Actor,
        t0: dt.datetime,
        kinds: list[str],
        n: int,
        gap: tuple[int, int],
        region: str = REGION,
    ) -> None:
        t = t0
        for _ in range(n):
            if t >= stop:
                return
            _read(trail, actor, t, rng.choice(kinds), region=region)
            t += dt.timedelta(seconds=rng.randint(*gap))

    for day in range(TRAIL_DAYS):
        midnight = start + dt.timedelta(days=day)
        for hour in (1, 7, 13, 19):  # AWS Config periodic recording
            t0 = midnight + dt.timedelta(
                hours=hour, minutes=rng.randint(0, 40), seconds=rng.randint(0, 59)
            )
            burst(CONFIG, t0, config_kinds, rng.randint(6, 10), (1, 20))
        for hour in (4, 16):  # the recorder in the second region sees only network resources
            t0 = midnight + dt.timedelta(
                hours=hour, minutes=rng.randint(0, 40), seconds=rng.randint(0, 59)
            )
            burst(
                CONFIG,
                t0,
                ["DescribeSecurityGroups", "DescribeVpcs"],
                rng.randint(2, 4),
                (1, 9),
                region=SECOND_REGION,
            )
        for hour in range(0, 24, 3):  # dashboards refreshed by whoever has them open
            t0 = midnight + dt.timedelta(
                hours=hour, minutes=rng.randint(0, 50), seconds=rng.randint(0, 59)
            )
            burst(
                GRAFANA,
                t0,
                ["GetMetricData", "GetMetricData", "DescribeAlarms"],
                rng.randint(2, 4),
                (0, 3),
            )
        for _ in range(rng.randint(1, 3)):
            t0 = midnight + dt.timedelta(hours=rng.randint(9, 17), minutes=rng.randint(0, 59))
            burst(rng.choice(READERS), t0, console_kinds, rng.randint(3, 6), (10, 90))


def record_investigation(trail: Trail, story: Timeline) -> None:
    """Record the on-call engineer looking around in the console between page and rollback."""
    rng = trail.rng
    t = story.errors_start + dt.timedelta(minutes=7, seconds=rng.randint(0, 59))
    plan = [
        "DescribeAlarms",
        "DescribeAlarmHistory",
        "DescribeServices",
        "DescribeTargetHealth",
        "GetMetricData",
        "DescribeServices",
        "ListTaskDefinitions",
        "DescribeTaskDefinition",
        "DescribeTaskDefinition",
        "GetMetricData",
        "DescribeLogGroups",
        "DescribeTargetHealth",
    ]
    for kind in plan:
        if t >= story.rollback_at - dt.timedelta(minutes=1):
            break
        _read(trail, ONCALL_CONSOLE, t, kind)
        t += dt.timedelta(seconds=rng.randint(40, 170))


def record_other_accounts(
    trail: Trail, story: Timeline, prod_checkout: list[tuple[dt.datetime, int]]
) -> None:
    """Record a little outside shop-prod: staging deploys ahead of prod, an OpenSearch change."""
    rng = trail.rng
    for at, rev in prod_checkout:
        staged = at - dt.timedelta(hours=2, minutes=rng.randint(5, 50), seconds=rng.randint(0, 59))
        deploy_checkout(trail, staged, rev + 25, rev + 24, account=_SHOP_STAGING.id)
    admin = replace(ADMIN, account=_DATA_PLATFORM.id)
    t = jitter(rng, story.end - dt.timedelta(days=8, hours=-10, minutes=-14), 0, 59)
    trail.call(
        admin,
        t,
        "es.amazonaws.com",
        "UpdateDomainConfig",
        {
            "domainName": "analytics-logs",
            "clusterConfig": {"instanceType": "r6g.xlarge.search", "instanceCount": 6},
        },
        {
            "domainConfig": {
                "clusterConfig": {
                    "options": {"instanceType": "r6g.xlarge.search", "instanceCount": 6},
                    "status": {"state": "Processing"},
                }
            }
        },
        user_agent=f"{CLI_MAC} md/command#opensearch.update-domain-config",
    )
    for i in range(3):
        trail.call(
            admin,
            t + dt.timedelta(minutes=2 + 3 * i, seconds=rng.randint(0, 59)),
            "es.amazonaws.com",
            "DescribeDomain",
            {"domainName": "analytics-logs"},
            None,
            read_only=True,
            user_agent=f"{CLI_MAC} md/command#opensearch.describe-domain",
        )
