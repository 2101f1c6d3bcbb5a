"""Incident time windows: explicit UTC start/end with defaults, a baseline, and a look-back.

Empty strings mean "derive": ``end`` = now, ``start`` = ``end`` - 1 hour, the baseline = the same
length just before the start (or a given offset such as ``1d`` for the same hours yesterday).
Bad input fails here, before any data source is asked.

Examples
--------
>>> w = resolve_window("2026-11-14T14:00Z", "2026-11-14T15:00Z", baseline="1d")
>>> w.describe()
'window 2026-11-14 14:00 to 15:00 UTC (60 min); baseline 2026-11-13 14:00 to 15:00 UTC'
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from opsbook import clock
from opsbook._docs import ENTRIES, sharing
from opsbook.errors import ConfigurationError

__all__ = ["DEFAULT_LENGTH", "MAX_WINDOW", "IncidentWindow", "drill_params", "resolve_window"]

DEFAULT_LENGTH = pd.Timedelta(hours=1)
MAX_WINDOW = pd.Timedelta(days=2)  # 1-minute metrics and raw log scans stay fast below this

#: Writes the parameter entries the drills share into their docstrings (see
#: :func:`opsbook._docs.sharing`): those of :data:`opsbook._docs.ENTRIES`, the service and the
#: window as :func:`resolve_window` takes it.
drill_params = sharing(
    {
        **ENTRIES,
        "service": "The service, e.g. ``checkout-api``.",
        "start, end": "The window (ISO 8601, UTC; empty: the last hour).",
    }
)


@dataclass(frozen=True)
class IncidentWindow:
    """The window under investigation, its baseline and the change look-back (all UTC)."""

    start: pd.Timestamp
    end: pd.Timestamp
    baseline_start: pd.Timestamp
    baseline_end: pd.Timestamp
    lookback: pd.Timedelta

    @property
    def length(self) -> pd.Timedelta:
        """Return the window's length."""
        return self.end - self.start

    def describe(self) -> str:
        """Return the window and baseline as one line of UTC times."""

        def span(a: pd.Timestamp, b: pd.Timestamp) -> str:
            same_day = a.date() == b.date()
            return (
                f"{a:%Y-%m-%d %H:%M} to {b:%H:%M}"
                if same_day
                else f"{a:%Y-%m-%d %H:%M} to {b:%Y-%m-%d %H:%M}"
            )

        minutes = int(self.length / pd.Timedelta(minutes=1))
        return (
            f"window {span(self.start, self.end)} UTC ({minutes} min); "
            f"baseline {span(self.baseline_start, self.baseline_end)} UTC"
        )

    def within(self, value: clock.Moment | None, name: str) -> pd.Timestamp | None:
        """Return ``value`` as UTC (empty: ``None``), refusing a moment not inside the window.

        Examples
        --------
        >>> w = resolve_window("2026-11-14T14:00Z", "2026-11-14T15:00Z")
        >>> w.within("2026-11-14T14:30Z", "change_at").isoformat()
        '2026-11-14T14:30:00+00:00'
        """
        if value is None or (isinstance(value, str) and not value.strip()):
            return None
        moment = clock.to_utc(value, name)
        if not self.start < moment < self.end:
            raise ConfigurationError(
                f"{name} {moment:%Y-%m-%d %H:%M} UTC is outside the window: widen the window "
                "to hold time before and after it"
            )
        return moment

    def table(self) -> pd.DataFrame:
        """Return the window as a small table (what, start, end) for the top of a runbook."""
        return pd.DataFrame(
            [
                ("window", self.start, self.end),
                ("baseline", self.baseline_start, self.baseline_end),
                ("changes look-back", self.start - self.lookback, self.end),
            ],
            columns=["what", "start (UTC)", "end (UTC)"],
        ).set_index("what")


def resolve_window(
    start: clock.Moment | None = "",
    end: clock.Moment | None = "",
    *,
    baseline: clock.Duration = "",
    lookback: clock.Duration = "6h",
    max_window: pd.Timedelta = MAX_WINDOW,
    now: pd.Timestamp | None = None,
) -> IncidentWindow:
    """Return the incident window with its defaults filled in, or fail saying what to change.

    Parameters
    ----------
    start, end
        ISO 8601 times (naive = UTC); empty: ``end`` = now, ``start`` = ``end`` - 1 h.
    baseline
        Empty: the same length just before ``start``; else an offset back from the window
        (``1d``: the same hours the day before, ``7d``: a week before); any duration
        :func:`opsbook.clock.to_duration` reads.
    lookback
        How far before ``start`` changes are looked for (``6h``, ``90min``, ``PT6H``...).
    max_window
        Longest window accepted.
    now
        The clock, for tests.

    Raises
    ------
    opsbook.errors.ConfigurationError
        A time that does not parse, an end not after the start, a window over ``max_window``,
        a bad baseline or look-back.

    Examples
    --------
    >>> resolve_window("2026-11-14T14:00Z", "2026-11-14T13:00Z")
    Traceback (most recent call last):
    ...
    opsbook.errors.ConfigurationError: end 2026-11-14 13:00 UTC is not after start 2026-11-14 14:00 UTC: a window [start, end) ending at or before the start is empty; swap start and end
    """
    if end is None or (isinstance(end, str) and not end.strip()):
        end = (now if now is not None else clock.now()).floor("min")
    first, last = clock.window(start, end, length=DEFAULT_LENGTH)
    if last - first > max_window:
        raise ConfigurationError(
            f"the window {first:%Y-%m-%d %H:%M} to {last:%Y-%m-%d %H:%M} UTC is "
            f"{(last - first) / pd.Timedelta(hours=1):.0f} h long; triage looks at most "
            f"{max_window / pd.Timedelta(hours=1):.0f} h: narrow it to the incident"
        )
    offset = clock.to_duration(baseline, "baseline") if baseline else last - first
    if offset < last - first:
        raise ConfigurationError(
            f"baseline {baseline!r} overlaps the window: give an offset of at least the window's "
            f"length ({(last - first) / pd.Timedelta(minutes=1):.0f} min), e.g. '1d'"
        )
    back = clock.to_duration(lookback, "lookback")
    return IncidentWindow(first, last, first - offset, last - offset, back)
