"""The aws backend: Athena through awswrangler, CloudWatch and CloudWatch Logs through boto3.

Credentials come only from the standard boto3 chain (environment, shared config and SSO, role);
``settings.profile`` merely picks a profile of that chain. Every module takes its clients from
:func:`client` (one retry policy, one cache per process: see :mod:`._clients`) and turns AWS
errors into opsbook errors that name what to do, e.g. the IAM action a role is missing
(:func:`aws_errors`; :func:`pages` follows a call's pages under it). While the read-only guard is on, every botocore call of the process is
judged before it is sent (:mod:`._guard`).

Examples
--------
>>> from opsbook.settings import resolve
>>> session(resolve(backend="aws", region="eu-west-1")).region_name
'eu-west-1'
"""

from __future__ import annotations

from opsbook.backends.aws._clients import MAX_ATTEMPTS, RETRY_MODE, client, reset, session
from opsbook.backends.aws._errors import THROTTLED, aws_errors, pages
from opsbook.backends.aws._guard import (
    READ_PREFIXES,
    disable_read_only,
    enable_read_only,
    is_read_only,
    read_only,
    read_only_enabled,
    refusal,
)

__all__ = [
    "MAX_ATTEMPTS",
    "READ_PREFIXES",
    "RETRY_MODE",
    "THROTTLED",
    "aws_errors",
    "client",
    "disable_read_only",
    "enable_read_only",
    "is_read_only",
    "pages",
    "read_only",
    "read_only_enabled",
    "refusal",
    "reset",
    "session",
]
