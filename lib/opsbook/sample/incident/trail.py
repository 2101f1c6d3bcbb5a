"""CloudTrail records: who calls the APIs (actors) and the recorder that writes each call down.

:class:`Trail` turns one API call into the record CloudTrail writes (userIdentity with a session
key kept per role session, request and response, TLS details), in CloudTrail's field order. What
is called is in :mod:`~opsbook.sample.incident.deployments` and
:mod:`~opsbook.sample.incident.activity`; :mod:`~opsbook.sample.incident.cloudtrail` writes the
log files.

Examples
--------
>>> import datetime as dt, random
>>> trail = Trail(random.Random(1))
>>> at = dt.datetime(2026, 11, 14, 14, 41, 3, tzinfo=dt.UTC)
>>> record = trail.call(ONCALL, at, "ecs.amazonaws.com", "DescribeServices", read_only=True)
>>> record["eventTime"], record["userIdentity"]["sessionContext"]["sessionIssuer"]["userName"]
('2026-11-14T14:41:03Z', 'AWSReservedSSO_OnCallEngineer_7c1e5a9f03b24d68')
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import random
import string
from dataclasses import dataclass, replace
from typing import Any

from opsbook.sample.incident.formats import floor_time, random_token, random_uuid, trail_time
from opsbook.sample.org import REGION, SHOP_PROD

__all__ = [
    "ADMIN",
    "ADMIN_CONSOLE",
    "CLI_LINUX",
    "CLI_MAC",
    "CODEDEPLOY",
    "CONFIG",
    "GRAFANA",
    "JS_SDK",
    "ONCALL",
    "ONCALL_CONSOLE",
    "READERS",
    "Actor",
    "Trail",
    "ci_actor",
]

_ACCT = SHOP_PROD.id
_KEY_CHARS = string.ascii_uppercase + "234567"


@dataclass(frozen=True)
class Actor:
    """Who calls the API: an assumed role session, possibly through an AWS service."""

    account: str
    role: str
    session: str
    source_ip: str
    user_agent: str
    role_path: str = ""
    invoked_by: str | None = None
    console: bool = False
    oidc: bool = False  # GitHub Actions federates with AssumeRoleWithWebIdentity

    def via(self, service: str) -> Actor:
        """Return the same credentials as used by an AWS service on the caller's behalf."""
        host = f"{service}.amazonaws.com"
        return replace(self, invoked_by=host, source_ip=host, user_agent=host, console=False)


CLI_LINUX = (
    "aws-cli/2.22.4 md/awscrt#0.22.0 ua/2.0 os/linux#6.5.0-1025-azure md/arch#x86_64 "
    "lang/python#3.12.6 md/pyimpl#CPython cfg/retry-mode#standard md/installer#exe "
    "md/distrib#ubuntu.22 md/prompt#off"
)
CLI_MAC = (
    "aws-cli/2.22.4 md/awscrt#0.22.0 ua/2.0 os/macos#24.1.0 md/arch#arm64 lang/python#3.12.6 "
    "md/pyimpl#CPython cfg/retry-mode#standard md/installer#source md/prompt#off"
)
JS_SDK = (
    "aws-sdk-js/3.637.0 ua/2.0 os/linux#6.5.0-1025-azure lang/js md/nodejs#20.17.0 "
    "api/ecs#3.637.0 exec-env/GitHubActions"
)
_GRAFANA_UA = "Grafana/11.3.0 aws-sdk-go/1.55.5 (go1.22.7; linux; amd64)"
_SSO_PATH = "aws-reserved/sso.amazonaws.com/"


def ci_actor(account: str = _ACCT) -> Actor:
    """Return the GitHub Actions deploy role of ``account`` (federated with OIDC)."""
    return Actor(
        account,
        "GitHubActionsDeployRole",
        "github-actions-deploy",
        "203.0.113.41",
        CLI_LINUX,
        oidc=True,
    )


def _sso(permission_set: str, suffix: str, user: str, ip: str, *, console: bool) -> Actor:
    return Actor(
        _ACCT,
        f"AWSReservedSSO_{permission_set}_{suffix}",
        f"{user}@northpeak.example",
        ip,
        "AWS Internal" if console else CLI_MAC,
        role_path=_SSO_PATH,
        console=console,
    )


ONCALL = _sso(
    "OnCallEngineer", "7c1e5a9f03b24d68", "maya.lindqvist", "198.51.100.23", console=False
)
ONCALL_CONSOLE = replace(ONCALL, user_agent="AWS Internal", console=True)
ADMIN = _sso("PlatformAdmin", "2b8d4f6a1c3e5079", "tomas.ferreira", "198.51.100.61", console=False)
ADMIN_CONSOLE = replace(ADMIN, user_agent="AWS Internal", console=True)
READERS = tuple(
    _sso("ReadOnly", "5e0a2c4b6d8f1397", user, ip, console=True)
    for user, ip in (
        ("priya.raman", "198.51.100.87"),
        ("jonas.becker", "198.51.100.112"),
        ("ana.costa", "198.51.100.140"),
    )
)
CONFIG = Actor(
    _ACCT,
    "AWSServiceRoleForConfig",
    "AWSConfig-Describe",
    "",
    "",
    role_path="aws-service-role/config.amazonaws.com/",
).via("config")
GRAFANA = Actor(_ACCT, "grafana-cloudwatch-reader", "grafana", "192.0.2.44", _GRAFANA_UA)
CODEDEPLOY = Actor(
    _ACCT, "orders-worker-CodeDeployServiceRole-1F3K9QX7ZL2M", "AWSCodeDeploy", "", ""
).via("codedeploy")

_EVENT_VERSION = {
    "s3.amazonaws.com": "1.09",
    "rds.amazonaws.com": "1.09",
    "ec2.amazonaws.com": "1.09",
}


def _role_id(account: str, role: str) -> str:
    digest = base64.b32encode(hashlib.sha256(f"{account}/{role}".encode()).digest()).decode()
    return "AROA" + digest[:17]


class Trail:
    """Collects CloudTrail records, keeping one access key per role session."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.records: list[tuple[dt.datetime, str, str, dict[str, Any]]] = []
        self._sessions: dict[tuple[str, ...], tuple[dt.datetime, str]] = {}

    def _session(self, actor: Actor, t: dt.datetime, start: dt.datetime | None) -> tuple[str, str]:
        opened = start or floor_time(t, 3600)
        key = (actor.account, actor.role, actor.session, opened.isoformat())
        if key not in self._sessions:
            created = start or opened - dt.timedelta(seconds=self.rng.randint(60, 1800))
            self._sessions[key] = (created, "ASIAFAKE" + random_token(self.rng, 12, _KEY_CHARS))
        created, key_id = self._sessions[key]
        return trail_time(created), key_id

    def call(
        self,
        actor: Actor,
        t: dt.datetime,
        source: str,
        name: str,
        request: dict[str, Any] | None = None,
        response: dict[str, Any] | None = None,
        *,
        read_only: bool = False,
        region: str = REGION,
        user_agent: str | None = None,
        session_start: dt.datetime | None = None,
        resources: list[dict[str, str]] | None = None,
        additional: dict[str, Any] | None = None,
        host: str | None = None,
    ) -> dict[str, Any]:
        """Append one record (field order as CloudTrail writes it) and return it."""
        created, key_id = self._session(actor, t, session_start)
        role_id = _role_id(actor.account, actor.role)
        federation: dict[str, Any] = {}
        if actor.oidc:
            federation = {
                "federatedProvider": f"arn:aws:iam::{actor.account}:oidc-provider/"
                "token.actions.githubusercontent.com",
                "attributes": {},
            }
        identity: dict[str, Any] = {
            "type": "AssumedRole",
            "principalId": f"{role_id}:{actor.session}",
            "arn": f"arn:aws:sts::{actor.account}:assumed-role/{actor.role}/{actor.session}",
            "accountId": actor.account,
            "accessKeyId": key_id,
            "sessionContext": {
                "sessionIssuer": {
                    "type": "Role",
                    "principalId": role_id,
                    "arn": f"arn:aws:iam::{actor.account}:role/{actor.role_path}{actor.role}",
                    "accountId": actor.account,
                    "userName": actor.role,
                },
                "webIdFederationData": federation,
                "attributes": {"creationDate": created, "mfaAuthenticated": "false"},
            },
        }
        if actor.invoked_by:
            identity["invokedBy"] = actor.invoked_by
        record: dict[str, Any] = {
            "eventVersion": _EVENT_VERSION.get(source, "1.10"),
            "userIdentity": identity,
            "eventTime": trail_time(t),
            "eventSource": source,
            "eventName": name,
            "awsRegion": region,
            "sourceIPAddress": actor.source_ip,
            "userAgent": user_agent or actor.user_agent,
            "requestParameters": request,
            "responseElements": response,
        }
        if additional:
            record["additionalEventData"] = additional
        request_id = (
            random_token(self.rng, 16, "0123456789ABCDEF")
            if source == "s3.amazonaws.com"
            else random_uuid(self.rng)
        )
        record |= {"requestID": request_id, "eventID": random_uuid(self.rng), "readOnly": read_only}
        if resources:
            record["resources"] = resources
        record |= {
            "eventType": "AwsApiCall",
            "managementEvent": True,
            "recipientAccountId": actor.account,
            "eventCategory": "Management",
        }
        if not actor.invoked_by:
            record["tlsDetails"] = {
                "tlsVersion": "TLSv1.3",
                "cipherSuite": "TLS_AES_128_GCM_SHA256",
                "clientProvidedHostHeader": host
                or f"{source.split('.')[0]}.{region}.amazonaws.com",
            }
        if actor.console:
            record["sessionCredentialFromConsole"] = "true"
        self.records.append((t, actor.account, region, record))
        return record
