"""The aws backend: Athena through awswrangler, CloudWatch and CloudWatch Logs through boto3.

Credentials come only from the standard boto3 chain (environment, shared config and SSO, role);
``settings.profile`` merely picks a profile of that chain. AWS errors are turned into opsbook errors
that name what to do, e.g. the IAM action a role is missing.

Examples
--------
>>> from opsbook.settings import resolve
>>> session(resolve(backend="aws", region="eu-west-1")).region_name  # doctest: +SKIP
'eu-west-1'
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

import boto3
from botocore.exceptions import (
    ClientError,
    NoCredentialsError,
    NoRegionError,
    TokenRetrievalError,
)

from opsbook.errors import AccessDeniedError, ConfigurationError, QueryFailedError
from opsbook.settings import Settings

__all__ = ["aws_errors", "session"]

_DENIED = {"AccessDenied", "AccessDeniedException", "UnauthorizedOperation", "UnauthorizedAccess"}
_EXPIRED = {"ExpiredToken", "ExpiredTokenException", "RequestExpired"}


#: Called with every new session (e.g. ``opsbook.incident.readonly`` registers its guard here).
SESSION_HOOKS: list = []


def session(settings: Settings) -> boto3.Session:
    """Return a boto3 session for the settings' profile and region (standard credential chain)."""
    try:
        boto = boto3.Session(profile_name=settings.profile, region_name=settings.region)
    except Exception as error:  # ProfileNotFound and friends
        raise ConfigurationError(
            f"cannot open AWS profile {settings.profile!r}: {error}. "
            "Check `aws configure list-profiles` or unset the profile setting"
        ) from None
    for hook in SESSION_HOOKS:
        hook(boto)
    return boto


@contextlib.contextmanager
def aws_errors(action: str) -> Iterator[None]:
    """Translate boto3 failures during ``action`` (e.g. ``logs:DescribeLogGroups``)."""
    try:
        yield
    except ClientError as error:
        code = error.response.get("Error", {}).get("Code", "")
        message = error.response.get("Error", {}).get("Message", "")
        if message.lstrip().startswith("<"):  # an HTML page from a proxy or emulator, not AWS JSON
            message = f"the endpoint answered HTTP {code} with an error page"
        if code in _DENIED:
            raise AccessDeniedError(action, message) from None
        if code in _EXPIRED:
            raise ConfigurationError(
                "the AWS credentials have expired: refresh them (e.g. `aws sso login`) and rerun"
            ) from None
        raise QueryFailedError(f"{action} failed: {code}: {message}") from None
    except (NoCredentialsError, TokenRetrievalError) as error:
        raise ConfigurationError(
            f"no usable AWS credentials for {action} ({error}). Configure the standard chain "
            "(AWS_PROFILE, `aws sso login`, an instance role) or use backend = 'local'"
        ) from None
    except NoRegionError:
        raise ConfigurationError(
            "no AWS region: set the region setting or OPSBOOK_REGION"
        ) from None
