"""Errors opsbook raises at its edges.

Every failure a user can meet is an :class:`OpsbookError`; its message says what was wrong and what
to do about it, so notebooks, the CLI and the magics can show it without a traceback.

Examples
--------
>>> from opsbook.errors import ConfigurationError
>>> try:
...     raise ConfigurationError("unknown setting 'bakend'; known settings: backend, region")
... except ConfigurationError as error:
...     print(error)
unknown setting 'bakend'; known settings: backend, region
"""

from __future__ import annotations

__all__ = [
    "AccessDeniedError",
    "ConfigurationError",
    "MissingColumnError",
    "MutatingCallError",
    "NoDataError",
    "OpsbookError",
    "QueryCancelledError",
    "QueryFailedError",
    "ReportFailedError",
    "UnreadableFileError",
]


class OpsbookError(Exception):
    """Base of every error opsbook raises on purpose."""


class ConfigurationError(OpsbookError):
    """A setting, parameter or argument has a value opsbook cannot use."""


class MissingColumnError(ConfigurationError):
    """A query needs a column the table lacks; ``column`` names it for callers that can adapt."""

    def __init__(self, message: str, column: str) -> None:
        super().__init__(message)
        self.column = column


class MutatingCallError(OpsbookError):
    """An AWS call that could change the account was refused by the read-only guard."""


class NoDataError(OpsbookError):
    """The backend holds no data for what was asked (missing folder, empty window)."""


class QueryFailedError(OpsbookError):
    """A query ran and failed; carries the engine's query id when there is one."""

    def __init__(self, message: str, *, query_id: str | None = None) -> None:
        super().__init__(message)
        self.query_id = query_id


class QueryCancelledError(OpsbookError):
    """A query was cancelled: by the user (interrupt), a timeout or a cost guardrail."""

    def __init__(self, message: str, *, query_id: str | None = None) -> None:
        super().__init__(message)
        self.query_id = query_id


class AccessDeniedError(OpsbookError):
    """AWS refused a call; names the IAM action the caller's role is missing."""

    def __init__(self, action: str, detail: str = "") -> None:
        message = (
            f"access denied: the AWS identity in use may not call {action}. "
            f"Grant {action} to the role or profile opsbook runs as"
        )
        super().__init__(f"{message} ({detail})" if detail else message)
        self.action = action


class ReportFailedError(OpsbookError):
    """One or more notebooks of a report run failed; the last good report was kept.

    ``run`` is the failed run (kept as ``<run-date>.failed``), for notifications.
    """

    def __init__(self, message: str, *, run: object = None) -> None:
        super().__init__(message)
        self.run = run


class UnreadableFileError(NoDataError):
    """A data file or folder cannot be read; ``path`` names it and ``problem`` says what is wrong.

    Examples
    --------
    >>> print(UnreadableFileError("cur/x.parquet", "not Parquet (bad magic bytes)"))
    cannot read cur/x.parquet: not Parquet (bad magic bytes); repair or remove it, or set skip_unreadable = true to skip it with a note
    """

    def __init__(self, path: object, problem: str) -> None:
        super().__init__(
            f"cannot read {path}: {problem}; repair or remove it, or set skip_unreadable = true "
            "to skip it with a note"
        )
        self.path = str(path)
        self.problem = problem
