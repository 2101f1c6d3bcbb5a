"""A section whose source failed shows ERROR and the whole reason, in text and HTML."""

from __future__ import annotations

import datetime as dt

import pandas as pd
from opsbook.incident.cost_spike import CostSpike
from opsbook.present import SectionError

DAY = dt.date(2026, 11, 5)
REASON = "QueryFailedError: cloudtrail:LookupEvents failed: 500 <an error page> " + "x" * 200


def test_the_reason_is_shown_whole_and_escaped() -> None:
    shown = SectionError("changes", REASON)
    assert repr(shown) == f"ERROR changes: {REASON}"
    assert (
        "cloudtrail:LookupEvents" in shown._repr_html_()
        and "&lt;an error page&gt;" in shown._repr_html_()
    )
    assert shown.to_frame().to_dict("records") == [
        {"status": "ERROR", "section": "changes", "reason": REASON}
    ]


def test_a_failed_trail_is_an_error_and_no_change_is_an_empty_table() -> None:
    empty = pd.DataFrame()
    failed = CostSpike(DAY, DAY, empty, None, empty, empty, empty, empty, changes_error=REASON)
    quiet = CostSpike(DAY, DAY, empty, None, empty, empty, empty, empty)
    assert failed.section("changes") == SectionError("changes", REASON)
    assert isinstance(quiet.section("changes"), pd.DataFrame) and quiet.section("changes").empty
    assert failed.section("by_resource") is empty
