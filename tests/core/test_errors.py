from __future__ import annotations

from opsbook import errors


def test_every_error_is_an_opsbook_error() -> None:
    for name in errors.__all__:
        assert issubclass(getattr(errors, name), errors.OpsbookError)


def test_access_denied_names_the_missing_action() -> None:
    error = errors.AccessDeniedError("logs:StartQuery", "User: arn:aws:sts::1:assumed-role/r")
    assert error.action == "logs:StartQuery"
    assert "Grant logs:StartQuery" in str(error)
    assert "assumed-role" in str(error)


def test_query_errors_carry_the_query_id() -> None:
    assert errors.QueryFailedError("boom", query_id="q-1").query_id == "q-1"
    assert errors.QueryCancelledError("stopped", query_id="q-2").query_id == "q-2"
