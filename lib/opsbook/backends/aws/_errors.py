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
from collections.abc import Callable, Iterator, Mapping
from typing import Any

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

__all__ = ["THROTTLED", "aws_errors", "pages"]

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


def pages(
    call: Callable[..., dict[str, Any]],
    arguments: Mapping[str, Any],
    action: str,
    *,
    token: str = "NextToken",
    throttled: str = "retry in a minute",
    whole: str = "",
) -> Iterator[dict[str, Any]]:
    """Yield every page of ``call(**arguments)``, following ``token``, errors translated.

    Each call runs under :func:`aws_errors` for ``action``. With ``whole`` (why the caller
    returns nothing rather than part of the answer), a page that fails after others says how many
    came before and ``whole``.

    Examples
    --------
    >>> answers = {None: {"Items": [1], "NextToken": "t"}, "t": {"Items": [2]}}
    >>> [p["Items"] for p in pages(lambda NextToken=None: answers[NextToken], {}, "x:List")]
    [[1], [2]]
    """
    after, read = None, 0
    while True:
        try:
            with aws_errors(action, throttled=throttled):
                page = call(**arguments, **({token: after} if after else {}))
        except QueryFailedError as error:
            if read and whole:
                raise QueryFailedError(f"{error} (after {read} page(s): {whole})") from None
            raise
        read += 1
        yield page
        after = page.get(token)
        if not after:
            return
