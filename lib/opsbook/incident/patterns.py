"""Group log messages by pattern: the variable parts (ids, numbers, hex, UUIDs, times) masked.

Two error lines that differ only in an order id or a request id are the same problem; counting
them apart hides the top error behind a long tail of singletons.

Examples
--------
>>> mask_message("connection pool exhausted (50/50 in use) for order ord-2143317")
'connection pool exhausted (<n>/<n> in use) for order ord-<n>'
>>> mask_message("unhandled KeyError 'shipping_zone' in cart 854a1027")
"unhandled KeyError 'shipping_zone' in cart <hex>"
"""

from __future__ import annotations

import re

import pandas as pd

__all__ = ["group_by_pattern", "mask_message"]

# Order matters: the most specific shapes first, so a UUID is not eaten as hex and numbers.
_MASKS: tuple[tuple[re.Pattern[str], str], ...] = (
    (
        re.compile(
            r"\b[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\b"
        ),
        "<uuid>",
    ),
    (
        re.compile(
            r"\b\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?"
        ),
        "<time>",
    ),
    (re.compile(r"\barn:aws[\w-]*:[^\s\"',)]+"), "<arn>"),
    (re.compile(r"\b(?:\d{1,3}\.){3}\d{1,3}\b"), "<ip>"),
    (re.compile(r"\b0x[0-9a-fA-F]+\b"), "<hex>"),
    # hex runs of 6+ characters holding at least one digit and one letter a-f (cart ids, shas)
    (re.compile(r"\b(?=[0-9a-fA-F]*\d)(?=[0-9a-fA-F]*[a-fA-F])[0-9a-fA-F]{6,}\b"), "<hex>"),
    (re.compile(r"(?<![A-Za-z])\d+(?:\.\d+)?"), "<n>"),
)


def mask_message(message: str) -> str:
    """Return ``message`` with its variable parts replaced by ``<uuid>``, ``<hex>``, ``<n>``...

    Examples
    --------
    >>> mask_message("Task timed out after 3.00 seconds")
    'Task timed out after <n> seconds'
    """
    text = str(message).strip()
    for pattern, token in _MASKS:
        text = pattern.sub(token, text)
    return re.sub(r"\s+", " ", text)


def group_by_pattern(
    frame: pd.DataFrame,
    *,
    message: str = "message",
    count: str = "occurrences",
    first: str = "first_seen",
    last: str = "last_seen",
    top: int | None = 20,
) -> pd.DataFrame:
    """Return one row per masked pattern: pattern, occurrences, first and last seen, an example.

    Parameters
    ----------
    frame
        Rows of messages with a count and first/last seen times (e.g. a Logs Insights
        ``stats count(*), min(@timestamp), max(@timestamp) by msg``).
    message, count, first, last
        Column names in ``frame``.
    top
        Keep the most frequent patterns only (``None``: all).

    Returns
    -------
    pandas.DataFrame
        ``pattern``, ``occurrences``, ``share`` (of all occurrences), ``first_seen``,
        ``last_seen``, ``example``; most frequent first.

    Examples
    --------
    >>> rows = pd.DataFrame({"message": ["order 1 failed", "order 2 failed"], "occurrences": [3, 1],
    ...                      "first_seen": pd.to_datetime(["2026-11-14T14:05Z", "2026-11-14T14:01Z"]),
    ...                      "last_seen": pd.to_datetime(["2026-11-14T14:09Z", "2026-11-14T14:02Z"])})
    >>> group_by_pattern(rows)[["pattern", "occurrences"]].values.tolist()
    [['order <n> failed', 4]]
    """
    columns = ["pattern", "occurrences", "share", "first_seen", "last_seen", "example"]
    if frame.empty:
        return pd.DataFrame(columns=columns)
    work = pd.DataFrame(
        {
            "pattern": frame[message].astype(str).map(mask_message),
            "occurrences": pd.to_numeric(frame[count]).astype("int64"),
            "first_seen": pd.to_datetime(frame[first], utc=True),
            "last_seen": pd.to_datetime(frame[last], utc=True),
            "example": frame[message].astype(str),
        }
    )
    grouped = work.groupby("pattern", sort=False).agg(
        occurrences=("occurrences", "sum"),
        first_seen=("first_seen", "min"),
        last_seen=("last_seen", "max"),
        example=("example", "first"),
    )
    grouped["share"] = grouped.occurrences / grouped.occurrences.sum()
    grouped = grouped.reset_index().sort_values(
        ["occurrences", "first_seen"], ascending=[False, True], ignore_index=True
    )
    return (grouped.head(top) if top else grouped)[columns]
