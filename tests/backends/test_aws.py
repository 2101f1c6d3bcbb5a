"""The aws backend's error translation and credentials handling (its frames: test_parity.py)."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError, NoCredentialsError
from opsbook.backends import aws
from opsbook.errors import AccessDeniedError, ConfigurationError, QueryFailedError

# Frames against moto, beside the local backend's: tests/backends/test_parity.py. The CUR's own
# tests live in tests/sources/test_athena.py.


def _client_error(code: str) -> ClientError:
    return ClientError(
        {"Error": {"Code": code, "Message": "User: arn:aws:sts::1:x is not authorized"}}, "Op"
    )


@pytest.mark.parametrize(
    ("raised", "expected", "text"),
    [
        pytest.param(
            _client_error("AccessDeniedException"),
            AccessDeniedError,
            "Grant logs:StartQuery",
            id="denied",
        ),
        pytest.param(
            _client_error("ExpiredTokenException"), ConfigurationError, "expired", id="expired"
        ),
        pytest.param(
            _client_error("ThrottlingException"),
            QueryFailedError,
            "ThrottlingException",
            id="other",
        ),
        pytest.param(
            NoCredentialsError(), ConfigurationError, "standard chain", id="no-credentials"
        ),
    ],
)
def test_aws_failures_become_opsbook_errors(raised: Exception, expected: type, text: str) -> None:
    with pytest.raises(expected, match=text), aws.aws_errors("logs:StartQuery"):
        raise raised


def test_credentials_never_appear_in_errors_or_settings(moto_settings) -> None:
    shown = " ".join(f"{k}={v}" for k, v, _ in moto_settings.describe())
    assert "testing" not in shown
    with pytest.raises(ConfigurationError) as caught:
        aws.session(moto_settings.replace(profile="no-such-profile"))
    assert "testing" not in str(caught.value)
