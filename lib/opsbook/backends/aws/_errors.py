"""AWS failures as opsbook errors that say what to do: the IAM action to grant, the limit to respect.

Examples
--------
>>> from botocore.exceptions import ClientError
>>> denied = ClientError({"Error": {"Code": "AccessDenied", "Message": "no"}}, "DescribeAlarms")
>>> try:
...     with aws_errors("cloudwatch:DescribeAlarms"):
...         raise denied
... except Exception as error:
...     print(type(error).__name__, error.action)
AccessDeniedError cloudwatch:DescribeAlarms
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

from botocore.exceptions import (
    ClientError,
    HTTPClientError,
    NoCredentialsError,
    NoRegionError,
    TokenRetrievalError,
)
from botocore.exceptions import ConnectionError as EndpointUnreachable

from opsbook.backends.aws._clients import reset
from opsbook.errors import AccessDeniedError, ConfigurationError, QueryFailedError

__all__ = ["THROTTLED", "aws_errors"]

#: Error codes AWS throttles with; the clients' retry policy retries them before they get here.
THROTTLED = frozenset(
    {
        "Throttling",
        "ThrottlingException",
        "TooManyRequestsException",
        "RequestLimitExceeded",
        "LimitExceededException",
    }
)
_DENIED = {"AccessDenied", "AccessDeniedException", "UnauthorizedOperation", "UnauthorizedAccess"}
_EXPIRED = {"ExpiredToken", "ExpiredTokenException", "RequestExpired"}


@contextlib.contextmanager
def aws_errors(action: str, *, throttled: str = "retry in a minute") -> Iterator[None]:
    """Translate boto3 failures during ``action`` (e.g. ``logs:DescribeLogGroups``).

    ``throttled`` is the advice given when AWS still throttles the call once the client's retries
    are spent: the limit to respect, what to ask for less of.
    """
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
            reset()  # the rerun opens new sessions, which read the refreshed credentials
            raise ConfigurationError(
                "the AWS credentials have expired: refresh them (e.g. `aws sso login`) and rerun"
            ) from None
        if code in THROTTLED:
            raise QueryFailedError(
                f"AWS kept throttling {action} after backing off ({code}: {message}): {throttled}"
            ) from None
        raise QueryFailedError(f"{action} failed: {code}: {message}") from None
    except (NoCredentialsError, TokenRetrievalError) as error:
        reset()
        raise ConfigurationError(
            f"no usable AWS credentials for {action} ({error}). Configure the standard chain "
            "(AWS_PROFILE, `aws sso login`, an instance role) or use backend = 'local'"
        ) from None
    except NoRegionError:
        raise ConfigurationError(
            "no AWS region: set the region setting or OPSBOOK_REGION"
        ) from None
    except (EndpointUnreachable, HTTPClientError) as error:  # connect/read time-outs, resets
        raise QueryFailedError(
            f"the network failed during {action} after the client's retries ({error}): check "
            "the connection, proxy and AWS_ENDPOINT_URL, then rerun"
        ) from None
