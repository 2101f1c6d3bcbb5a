"""A runbook section whose source failed shows ERROR and why, never an empty table.

An empty breakdown reads as "nothing wrong"; when the logs, metrics or trail behind it could not
be read, the section shows :class:`SectionError` instead: ERROR, the section and the whole
reason (which names the API that failed), in the notebook's text and HTML alike. A table cell
would cut the reason at pandas' column width, right before the API's name.

Examples
--------
>>> SectionError("by_route", "logs: QueryFailedError: StartQuery failed")
ERROR by_route: logs: QueryFailedError: StartQuery failed
"""

from __future__ import annotations

import html
from dataclasses import dataclass

import pandas as pd

__all__ = ["SectionError"]


@dataclass(frozen=True)
class SectionError:
    """What a section shows when its source could not be read: ERROR and the reason, uncut."""

    section: str
    reason: str

    def __repr__(self) -> str:
        return f"ERROR {self.section}: {self.reason}"

    def _repr_html_(self) -> str:
        return (
            f'<p class="opsbook-error"><strong>ERROR</strong> {html.escape(self.section)}: '
            f"{html.escape(self.reason)}</p>"
        )

    def to_frame(self) -> pd.DataFrame:
        """Return the error as a one-row table (``status``, ``section``, ``reason``).

        Examples
        --------
        >>> SectionError("failed", "why").to_frame().status.item()
        'ERROR'
        """
        return pd.DataFrame(
            {"status": ["ERROR"], "section": [self.section], "reason": [self.reason]}
        )
