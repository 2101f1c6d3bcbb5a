"""The export's calendar: its days as arrays, and its billing periods."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import numpy as np
import pyarrow as pa

from opsbook.sample.cur.ids import hashed_number
from opsbook.sample.cur.schema import STRING, time_interval
from opsbook.sample.org import Timeline


@dataclass
class Period:
    """One billing period (a calendar month) of the export."""

    label: str
    start: dt.date
    end: dt.date  # first day of the next month
    data_end: dt.date  # exclusive end of the data (as_of for the open month)
    closed: bool
    d0: int  # global index of the first day
    d1: int
    invoice_id: str


def day_columns(period: Period, day: dt.date) -> dict[str, Any]:
    """Return the billing period and usage day columns of a daily row of ``period``.

    Examples
    --------
    >>> period = Period("2026-10", dt.date(2026, 10, 1), dt.date(2026, 11, 1),
    ...                 dt.date(2026, 11, 1), True, 0, 31, "123")
    >>> day_columns(period, dt.date(2026, 10, 5))["identity_time_interval"]
    '2026-10-05T00:00:00Z/2026-10-06T00:00:00Z'
    """
    start = dt.datetime(day.year, day.month, day.day)
    return {
        "bill_billing_period_start_date": dt.datetime.combine(period.start, dt.time()),
        "bill_billing_period_end_date": dt.datetime.combine(period.end, dt.time()),
        "bill_invoice_id": period.invoice_id,
        "identity_time_interval": time_interval(day, day + dt.timedelta(days=1)),
        "line_item_usage_start_date": start,
        "line_item_usage_end_date": start + dt.timedelta(days=1),
    }


def add_months(day: dt.date, months: int) -> dt.date:
    """Return the first day of the month ``months`` after the month of ``day``.

    Examples
    --------
    >>> add_months(dt.date(2026, 11, 15), -11)
    datetime.date(2025, 12, 1)
    """
    index = day.year * 12 + day.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


class Calendar:
    """The days from ``story.cur_start`` (``first``) to ``story.as_of`` (exclusive), by period.

    Per-day arrays are indexed by the day's number from the first day: ``start_ms`` (the day as
    a timestamp), ``weekday`` (1.0 Monday to Friday), ``days_in_month``, ``day_of_month``,
    ``months`` (months elapsed) and ``interval`` (``identity_time_interval``).
    """

    def __init__(self, story: Timeline, seed: int) -> None:
        first = story.cur_start
        self.first = first
        self.n_days = (story.as_of - first).days
        dates = [first + dt.timedelta(days=i) for i in range(self.n_days)]
        self.start_ms = np.array(dates, dtype="datetime64[D]").astype("datetime64[ms]")
        self.weekday = np.array([d.weekday() < 5 for d in dates], dtype=np.float64)
        self.days_in_month = np.array(
            [(add_months(d, 1) - d.replace(day=1)).days for d in dates], dtype=np.float64
        )
        self.day_of_month = np.array([d.day for d in dates])
        self.months = np.arange(self.n_days) / 30.4375
        self.interval = pa.array(
            [time_interval(d, d + dt.timedelta(days=1)) for d in dates], type=STRING
        )
        periods: list[Period] = []
        start = first
        while start < story.as_of:
            end = add_months(start, 1)
            data_end = min(end, story.as_of)
            closed = end <= story.as_of
            periods.append(
                Period(
                    label=start.strftime("%Y-%m"),
                    start=start,
                    end=end,
                    data_end=data_end,
                    closed=closed,
                    d0=(start - first).days,
                    d1=(data_end - first).days,
                    invoice_id=hashed_number(10, "invoice", seed, start) if closed else "",
                )
            )
            start = end
        self.periods = periods
        self.anomaly_day = (story.cost_anomaly_day - first).days
        mover = next(p for p in periods if p.label == story.mover_month)
        self.mover_day = mover.d0 + 1  # the new cluster comes up on the 2nd of the month
