"""Deployments as CloudTrail records them: checkout-api on ECS, the Lambda functions, the alarms stack.

Each function records the calls one release makes, in the order and with the gaps the real
tools leave: a CI job (GitHub Actions) registering a task definition and updating the ECS service,
publishing a Lambda version and moving its ``live`` alias, or a SAM change set that CloudFormation
executes and CodeDeploy shifts canary by canary. Each returns the deployment as the README and
the change timeline show it. The releases come from :func:`opsbook.sample.episodes.releases`,
which the logs and metrics follow too.

Examples
--------
>>> import datetime as dt, random
>>> from opsbook.sample.incident.trail import Trail
>>> trail = Trail(random.Random(1))
>>> at = dt.datetime(2026, 11, 14, 13, 58, 12, tzinfo=dt.UTC)
>>> deploy_checkout(trail, at, 43, 42)["event"], [r[3]["eventName"] for r in trail.records][:2]
('ecs:UpdateService', ['RegisterTaskDefinition', 'UpdateService'])
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import random
import string
from typing import Any

from opsbook.sample.episodes import Release
from opsbook.sample.incident.alarms import (
    CATALOG_FUNCTION,
    ORDERS_FUNCTION,
    Alarm,
    put_metric_alarm_request,
)
from opsbook.sample.incident.formats import (
    cli_seconds,
    cloudwatch_time,
    java_time,
    random_token,
    random_uuid,
)
from opsbook.sample.incident.trail import (
    CLI_LINUX,
    CLI_MAC,
    CODEDEPLOY,
    JS_SDK,
    ONCALL_CONSOLE,
    Actor,
    Trail,
    ci_actor,
)
from opsbook.sample.org import (
    CATALOG,
    CHECKOUT,
    ECS_CLUSTER,
    ORDERS,
    REGION,
    SHOP_PROD,
    TARGET_GROUP,
)

__all__ = [
    "ARTIFACT_BUCKET",
    "OBSERVABILITY_STACK",
    "deploy_catalog",
    "deploy_checkout",
    "deploy_orders",
    "update_observability_stack",
]

_ACCT = SHOP_PROD.id
ARTIFACT_BUCKET = f"northpeak-artifacts-{_ACCT}"
OBSERVABILITY_STACK = "shop-prod-observability"


def _sha256_b64(rng: random.Random) -> str:
    return base64.b64encode(rng.getrandbits(256).to_bytes(32, "big")).decode()


def _git_sha(rng: random.Random) -> str:
    return random_token(rng, 7, "0123456789abcdef")


def _ecs_service(
    account: str,
    rev: int,
    previous: int,
    at: dt.datetime,
    previous_at: dt.datetime,
    rng: random.Random,
) -> dict[str, Any]:
    """UpdateService responseElements.service (trimmed to the fields triage looks at)."""
    arn = f"arn:aws:ecs:{REGION}:{account}"
    td = f"{arn}:task-definition/{CHECKOUT.name}"

    def dep() -> str:
        return "ecs-svc/" + random_token(rng, 19, string.digits)

    return {
        "service": {
            "serviceArn": f"{arn}:service/{ECS_CLUSTER}/{CHECKOUT.name}",
            "serviceName": CHECKOUT.name,
            "clusterArn": f"{arn}:cluster/{ECS_CLUSTER}",
            "loadBalancers": [
                {
                    "targetGroupArn": f"arn:aws:elasticloadbalancing:{REGION}:{account}:{TARGET_GROUP}",
                    "containerName": CHECKOUT.name,
                    "containerPort": 8080,
                }
            ],
            "status": "ACTIVE",
            "desiredCount": 6,
            "runningCount": 6,
            "pendingCount": 0,
            "launchType": "FARGATE",
            "platformVersion": "LATEST",
            "platformFamily": "Linux",
            "taskDefinition": f"{td}:{rev}",
            # no circuit breaker: a deployment whose tasks pass health checks but return 5XX
            # completes and stays until someone rolls back by hand
            "deploymentConfiguration": {
                "deploymentCircuitBreaker": {"enable": False, "rollback": False},
                "maximumPercent": 200,
                "minimumHealthyPercent": 100,
            },
            "deployments": [
                {
                    "id": dep(),
                    "status": "PRIMARY",
                    "taskDefinition": f"{td}:{rev}",
                    "desiredCount": 0,
                    "pendingCount": 0,
                    "runningCount": 0,
                    "failedTasks": 0,
                    "createdAt": java_time(at),
                    "updatedAt": java_time(at),
                    "launchType": "FARGATE",
                    "platformVersion": "1.4.0",
                    "platformFamily": "Linux",
                    "rolloutState": "IN_PROGRESS",
                    "rolloutStateReason": "ECS deployment in progress.",
                },
                {
                    "id": dep(),
                    "status": "ACTIVE",
                    "taskDefinition": f"{td}:{previous}",
                    "desiredCount": 6,
                    "pendingCount": 0,
                    "runningCount": 6,
                    "failedTasks": 0,
                    "createdAt": java_time(previous_at),
                    "updatedAt": java_time(previous_at + dt.timedelta(minutes=6, seconds=12)),
                    "launchType": "FARGATE",
                    "platformVersion": "1.4.0",
                    "platformFamily": "Linux",
                    "rolloutState": "COMPLETED",
                    "rolloutStateReason": "ECS deployment completed.",
                },
            ],
            "roleArn": f"arn:aws:iam::{account}:role/aws-service-role/ecs.amazonaws.com/"
            "AWSServiceRoleForECS",
            "createdAt": java_time(dt.datetime(2025, 3, 3, 9, 14, 22, tzinfo=dt.UTC)),
            "enableECSManagedTags": True,
            "propagateTags": "NONE",
            "enableExecuteCommand": False,
            "healthCheckGracePeriodSeconds": 60,
            "schedulingStrategy": "REPLICA",
            "deploymentController": {"type": "ECS"},
        }
    }


def deploy_checkout(
    trail: Trail,
    at: dt.datetime,
    rev: int,
    previous: int,
    *,
    actor: Actor | None = None,
    account: str = _ACCT,
    previous_at: dt.datetime | None = None,
) -> dict[str, Any]:
    """Deploy checkout-api: RegisterTaskDefinition, then UpdateService at ``at``.

    A rollback (``actor`` given) reuses an existing revision, so it only calls UpdateService.
    """
    rng = trail.rng
    ci = actor is None
    who = actor or ci_actor(account)
    start = at - dt.timedelta(minutes=3, seconds=rng.randint(0, 50))  # CI job assumes the role
    if ci:
        image = f"{account}.dkr.ecr.{REGION}.amazonaws.com/{CHECKOUT.name}:{_git_sha(rng)}"
        registered = at - dt.timedelta(seconds=rng.randint(15, 40))
        trail.call(
            who,
            registered,
            "ecs.amazonaws.com",
            "RegisterTaskDefinition",
            {
                "family": CHECKOUT.name,
                "taskRoleArn": f"arn:aws:iam::{account}:role/checkout-api-task",
                "executionRoleArn": f"arn:aws:iam::{account}:role/ecsTaskExecutionRole",
                "networkMode": "awsvpc",
                "containerDefinitions": [
                    {
                        "name": CHECKOUT.name,
                        "image": image,
                        "cpu": 0,
                        "portMappings": [
                            {"containerPort": 8080, "hostPort": 8080, "protocol": "tcp"}
                        ],
                        "essential": True,
                        "logConfiguration": {
                            "logDriver": "awslogs",
                            "options": {
                                "awslogs-group": CHECKOUT.log_group,
                                "awslogs-region": REGION,
                                "awslogs-stream-prefix": "ecs",
                            },
                        },
                    }
                ],
                "requiresCompatibilities": ["FARGATE"],
                "cpu": "1024",
                "memory": "2048",
            },
            {
                "taskDefinition": {
                    "taskDefinitionArn": f"arn:aws:ecs:{REGION}:{account}:task-definition/"
                    f"{CHECKOUT.name}:{rev}",
                    "family": CHECKOUT.name,
                    "revision": rev,
                    "status": "ACTIVE",
                    "registeredAt": java_time(registered),
                    "registeredBy": f"arn:aws:sts::{account}:assumed-role/{who.role}/{who.session}",
                }
            },
            user_agent=JS_SDK,
            session_start=start,
        )
    trail.call(
        who,
        at,
        "ecs.amazonaws.com",
        "UpdateService",
        {
            "cluster": ECS_CLUSTER,
            "service": CHECKOUT.name,
            "taskDefinition": f"{CHECKOUT.name}:{rev}",
            "forceNewDeployment": False,
        },
        _ecs_service(account, rev, previous, at, previous_at or at - dt.timedelta(days=2), rng),
        user_agent=JS_SDK if ci else f"{CLI_MAC} md/command#ecs.update-service",
        session_start=start if ci else None,
    )
    # the deploy action (or the engineer) waits for the service to become stable
    waiter = who if ci else ONCALL_CONSOLE
    for i in range(1, 9):
        trail.call(
            waiter,
            at + dt.timedelta(seconds=15 * i + rng.randint(0, 3)),
            "ecs.amazonaws.com",
            "DescribeServices",
            {"cluster": ECS_CLUSTER, "services": [CHECKOUT.name]},
            read_only=True,
            user_agent=JS_SDK if ci else None,
            session_start=start if ci else None,
        )
    return {
        "time": cli_seconds(at),
        "account": account,
        "service": CHECKOUT.name,
        "event": "ecs:UpdateService",
        "version": f"{CHECKOUT.name}:{rev}",
        "previous": f"{CHECKOUT.name}:{previous}",
        "actor": who.role if ci else f"{who.role}/{who.session}",
    }


def _function_config(
    account: str, function: str, version: str, at: dt.datetime, sha: str, rng: random.Random
) -> dict[str, Any]:
    arn = f"arn:aws:lambda:{REGION}:{account}:function:{function}"
    return {
        "functionName": function,
        "functionArn": arn if version == "$LATEST" else f"{arn}:{version}",
        "runtime": "python3.12",
        "role": f"arn:aws:iam::{account}:role/{function}-role",
        "handler": "app.handler",
        "codeSize": 4_200_000 + rng.randint(0, 90_000),
        "description": "",
        "timeout": 15 if function == ORDERS_FUNCTION else 10,
        "memorySize": 1024 if function == ORDERS_FUNCTION else 512,
        "lastModified": cloudwatch_time(at),
        "codeSha256": sha,
        "version": version,
        "tracingConfig": {"mode": "Active"},
        "revisionId": random_uuid(rng),
        "state": "Active",
        "lastUpdateStatus": "InProgress" if version == "$LATEST" else "Successful",
        "packageType": "Zip",
        "architectures": ["arm64"],
        "ephemeralStorage": {"size": 512},
        # plain text START/END/REPORT and runtime lines (log levels apply to JSON format only)
        "loggingConfig": {"logFormat": "Text", "logGroup": f"/aws/lambda/{function}"},
    }


def deploy_catalog(trail: Trail, alias_at: dt.datetime, version: int) -> dict[str, Any]:
    """UpdateFunctionCode, PublishVersion and UpdateAlias 'live' (the alias flip at ``alias_at``)."""
    rng = trail.rng
    ci = ci_actor()
    fn = CATALOG_FUNCTION
    start = alias_at - dt.timedelta(minutes=2, seconds=rng.randint(0, 40))
    code_at = alias_at - dt.timedelta(seconds=rng.randint(22, 30))
    sha = _sha256_b64(rng)
    git = _git_sha(rng)
    cli = f"{CLI_LINUX} md/command#lambda."
    trail.call(
        ci,
        code_at,
        "lambda.amazonaws.com",
        "UpdateFunctionCode20150331v2",
        {
            "functionName": fn,
            "s3Bucket": ARTIFACT_BUCKET,
            "s3Key": f"{CATALOG.name}/{fn}-{git}.zip",
            "publish": False,
            "dryRun": False,
        },
        _function_config(_ACCT, fn, "$LATEST", code_at, sha, rng),
        user_agent=cli + "update-function-code",
        session_start=start,
    )
    for wait in (4, 8):  # aws lambda wait function-updated-v2
        trail.call(
            ci,
            code_at + dt.timedelta(seconds=wait),
            "lambda.amazonaws.com",
            "GetFunctionConfiguration20150331v2",
            {"functionName": fn},
            read_only=True,
            user_agent=cli + "wait",
            session_start=start,
        )
    publish_at = alias_at - dt.timedelta(seconds=rng.randint(6, 10))
    trail.call(
        ci,
        publish_at,
        "lambda.amazonaws.com",
        "PublishVersion20150331",
        {"functionName": fn, "codeSha256": sha, "description": f"build {git}"},
        _function_config(_ACCT, fn, str(version), publish_at, sha, rng),
        user_agent=cli + "publish-version",
        session_start=start,
    )
    trail.call(
        ci,
        alias_at,
        "lambda.amazonaws.com",
        "UpdateAlias20150331",
        {"functionName": fn, "name": "live", "functionVersion": str(version)},
        {
            "aliasArn": f"arn:aws:lambda:{REGION}:{_ACCT}:function:{fn}:live",
            "name": "live",
            "functionVersion": str(version),
            "description": "",
            "revisionId": random_uuid(rng),
        },
        user_agent=cli + "update-alias",
        session_start=start,
    )
    return {
        "time": cli_seconds(alias_at),
        "account": _ACCT,
        "service": CATALOG.name,
        "event": "lambda:UpdateAlias (live)",
        "version": f"{fn}:{version}",
        "previous": f"{fn}:{version - 1}",
        "actor": ci.role,
        "steps": {
            "UpdateFunctionCode": cli_seconds(code_at),
            "PublishVersion": cli_seconds(publish_at),
        },
    }


def deploy_orders(trail: Trail, release: Release) -> dict[str, Any]:
    """Deploy with SAM: a change set; CloudFormation updates the code and starts CodeDeploy.

    CodeDeploy's canary shifts the alias at the release's ``shift_at`` and ``full_at``, the times
    the orders-worker logs switch to the new version.
    """
    rng = trail.rng
    at, version = release.at, release.version
    ci = ci_actor()
    cfn = ci.via("cloudformation")
    fn = ORDERS_FUNCTION
    start = at - dt.timedelta(minutes=4, seconds=rng.randint(0, 50))
    stack_id = f"arn:aws:cloudformation:{REGION}:{_ACCT}:stack/{fn}/{random_uuid(rng)}"
    change_set = f"samcli-deploy{int(at.timestamp()) - 70}"
    created = at - dt.timedelta(seconds=rng.randint(60, 80))
    cli = f"{CLI_LINUX} md/command#cloudformation."
    trail.call(
        ci,
        created,
        "cloudformation.amazonaws.com",
        "CreateChangeSet",
        {
            "stackName": fn,
            "templateURL": f"https://{ARTIFACT_BUCKET}.s3.amazonaws.com/{fn}/{_git_sha(rng)}.template",
            "capabilities": ["CAPABILITY_IAM", "CAPABILITY_AUTO_EXPAND"],
            "changeSetName": change_set,
            "changeSetType": "UPDATE",
            "description": f"Created by SAM CLI at {created:%Y-%m-%d %H:%M:%S} UTC",
        },
        {
            "id": f"arn:aws:cloudformation:{REGION}:{_ACCT}:changeSet/{change_set}/{random_uuid(rng)}",
            "stackId": stack_id,
        },
        user_agent=cli + "create-change-set",
        session_start=start,
    )
    for wait in (15, 30):
        trail.call(
            ci,
            created + dt.timedelta(seconds=wait),
            "cloudformation.amazonaws.com",
            "DescribeChangeSet",
            {"changeSetName": change_set, "stackName": fn},
            read_only=True,
            user_agent=cli + "wait",
            session_start=start,
        )
    trail.call(
        ci,
        at,
        "cloudformation.amazonaws.com",
        "ExecuteChangeSet",
        {"changeSetName": change_set, "stackName": fn},
        None,
        user_agent=cli + "execute-change-set",
        session_start=start,
    )
    sha = _sha256_b64(rng)
    code_at = at + dt.timedelta(seconds=rng.randint(18, 25))
    trail.call(
        cfn,
        code_at,
        "lambda.amazonaws.com",
        "UpdateFunctionCode20150331v2",
        {
            "functionName": fn,
            "s3Bucket": ARTIFACT_BUCKET,
            "s3Key": f"{fn}/{_git_sha(rng)}",
            "publish": False,
            "dryRun": False,
        },
        _function_config(_ACCT, fn, "$LATEST", code_at, sha, rng),
        session_start=start,
    )
    publish_at = code_at + dt.timedelta(seconds=rng.randint(6, 9))
    trail.call(
        cfn,
        publish_at,
        "lambda.amazonaws.com",
        "PublishVersion20150331",
        {"functionName": fn, "codeSha256": sha},
        _function_config(_ACCT, fn, str(version), publish_at, sha, rng),
        session_start=start,
    )
    deploy_at = publish_at + dt.timedelta(seconds=rng.randint(5, 9))
    deployment_id = "d-" + random_token(rng, 9, string.ascii_uppercase + string.digits)
    trail.call(
        cfn,
        deploy_at,
        "codedeploy.amazonaws.com",
        "CreateDeployment",
        {
            "applicationName": fn,
            "deploymentGroupName": f"{fn}-live",
            "revision": {
                "revisionType": "AppSpecContent",
                "appSpecContent": {"sha256": hashlib.sha256(sha.encode()).hexdigest()},
            },
            "deploymentConfigName": "CodeDeployDefault.LambdaCanary10Percent5Minutes",
        },
        {"deploymentId": deployment_id},
        session_start=start,
    )
    alias = {
        "aliasArn": f"arn:aws:lambda:{REGION}:{_ACCT}:function:{fn}:live",
        "name": "live",
        "description": "",
    }
    canary_at = release.shift_at
    weights = {"additionalVersionWeights": {str(version): release.canary}}
    trail.call(
        CODEDEPLOY,
        canary_at,
        "lambda.amazonaws.com",
        "UpdateAlias20150331",
        {
            "functionName": fn,
            "name": "live",
            "functionVersion": str(version - 1),
            "routingConfig": weights,
        },
        alias
        | {
            "functionVersion": str(version - 1),
            "routingConfig": weights,
            "revisionId": random_uuid(rng),
        },
    )
    full_at = release.full_at
    trail.call(
        CODEDEPLOY,
        full_at,
        "lambda.amazonaws.com",
        "UpdateAlias20150331",
        {
            "functionName": fn,
            "name": "live",
            "functionVersion": str(version),
            "routingConfig": {"additionalVersionWeights": {}},
        },
        alias | {"functionVersion": str(version), "revisionId": random_uuid(rng)},
    )
    return {
        "time": cli_seconds(at),
        "account": _ACCT,
        "service": ORDERS.name,
        "event": "cloudformation:ExecuteChangeSet + codedeploy:CreateDeployment",
        "version": f"{fn}:{version}",
        "previous": f"{fn}:{version - 1}",
        "actor": ci.role,
        "codedeploy_deployment": deployment_id,
    }


def update_observability_stack(
    trail: Trail, alarm_at: dt.datetime, alarm: Alarm, threshold: float
) -> dict[str, Any]:
    """UpdateStack of the alarms stack; CloudFormation then calls PutMetricAlarm."""
    rng = trail.rng
    ci = ci_actor()
    at = alarm_at.replace(microsecond=0) - dt.timedelta(seconds=rng.randint(35, 50))
    start = at - dt.timedelta(minutes=1, seconds=rng.randint(0, 50))
    trail.call(
        ci,
        at,
        "cloudformation.amazonaws.com",
        "UpdateStack",
        {
            "stackName": OBSERVABILITY_STACK,
            "templateURL": f"https://{ARTIFACT_BUCKET}.s3.amazonaws.com/observability/"
            f"{_git_sha(rng)}.yaml",
            "parameters": [
                {"parameterKey": "PageTopicArn", "usePreviousValue": True},
                {"parameterKey": "TicketTopicArn", "usePreviousValue": True},
            ],
            "capabilities": ["CAPABILITY_NAMED_IAM"],
        },
        {
            "stackId": f"arn:aws:cloudformation:{REGION}:{_ACCT}:stack/{OBSERVABILITY_STACK}/"
            "0c5e7a10-3b1f-11ef-9d2a-0e4f6b2a9c11"
        },
        user_agent=f"{CLI_LINUX} md/command#cloudformation.update-stack",
        session_start=start,
    )
    trail.call(
        ci.via("cloudformation"),
        alarm_at,
        "monitoring.amazonaws.com",
        "PutMetricAlarm",
        put_metric_alarm_request(alarm, threshold),
        None,
        session_start=start,
    )
    return {
        "time": cli_seconds(at),
        "account": _ACCT,
        "service": OBSERVABILITY_STACK,
        "event": "cloudformation:UpdateStack",
        "version": f"PutMetricAlarm {alarm.name} (threshold {threshold:g})",
        "previous": None,
        "actor": ci.role,
    }
