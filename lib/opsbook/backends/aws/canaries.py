"""CloudWatch Synthetics on AWS: DescribeCanaries and GetCanaryRuns.

GetCanaryRuns lists a canary's runs newest first, 100 a page; pages are read until they reach
runs older than the window.

Examples
--------
>>> from opsbook.settings import resolve
>>> import pandas as pd
>>> read_canary_runs(resolve(backend="aws"), pd.Timestamp("2026-11-14T14:00Z"),
...                  pd.Timestamp("2026-11-14T15:00Z"), None)  # doctest: +SKIP
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pandas as pd

from opsbook.backends.aws import client, pages
from opsbook.backends.contract import Canaries, contract_functions
from opsbook.backends.frames import canary_runs_frame
from opsbook.backends.tracing import canary_run_rows, pick_canaries
from opsbook.settings import Settings

__all__ = contract_functions(Canaries)

_PAGE = 100  # GetCanaryRuns' MaxResults at most


def read_canary_runs(
    settings: Settings,
    start: pd.Timestamp,
    end: pd.Timestamp,
    canaries: Sequence[str] | None,
) -> pd.DataFrame:
    """Return the runs of the canaries started in ``[start, end)``, by canary and start."""
    synthetics = client(settings, "synthetics")
    known: list[str] = []
    for page in pages(synthetics.describe_canaries, {}, "synthetics:DescribeCanaries"):
        known += [c["Name"] for c in page.get("Canaries", [])]
    runs: list[dict[str, Any]] = []
    for name in pick_canaries(known, canaries):
        asked = {"Name": name, "MaxResults": _PAGE}
        for page in pages(synthetics.get_canary_runs, asked, "synthetics:GetCanaryRuns"):
            items = page.get("CanaryRuns", [])
            runs += items
            started = [
                pd.Timestamp(r["Timeline"]["Started"])
                for r in items
                if (r.get("Timeline") or {}).get("Started")
            ]
            if started and min(started) < start:
                break
    frame = canary_runs_frame(canary_run_rows(runs))
    frame = frame.loc[(frame.started >= start) & (frame.started < end)]
    return frame.sort_values(["canary", "started"], ignore_index=True)
