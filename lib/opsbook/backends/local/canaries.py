"""CloudWatch Synthetics on the local backend: saved DescribeCanaries and GetCanaryRuns output.

``canaries/describe-canaries.json`` lists the canaries; ``canaries/get-canary-runs/<canary>/
YYYY-MM-DD.json`` holds what GetCanaryRuns returns for that canary's runs started on that day.
Their metrics (``CloudWatchSynthetics`` SuccessPercent, Duration per canary and step) are read
through :mod:`opsbook.metrics` like any other metric stream.

Examples
--------
>>> from opsbook.settings import resolve
>>> import pandas as pd
>>> read_canary_runs(resolve(), pd.Timestamp("2026-11-14T14:00Z"),
...                  pd.Timestamp("2026-11-14T15:00Z"), None)  # doctest: +SKIP
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import pandas as pd

from opsbook.backends import layout
from opsbook.backends.contract import Canaries, contract_functions
from opsbook.backends.frames import canary_runs_frame
from opsbook.backends.local import data_dir, read_json
from opsbook.backends.local._reading import Reading
from opsbook.backends.tracing import canary_run_rows, pick_canaries
from opsbook.settings import Settings

__all__ = contract_functions(Canaries)


def read_canary_runs(
    settings: Settings,
    start: pd.Timestamp,
    end: pd.Timestamp,
    canaries: Sequence[str] | None,
) -> pd.DataFrame:
    """Return the saved runs of the canaries started in ``[start, end)``, by canary and start."""
    folder = data_dir(settings)
    reading = Reading.of(settings)
    known = (
        read_json(
            folder / layout.DESCRIBE_CANARIES,
            reading,
            lambda saved: [c["Name"] for c in saved["Canaries"]],
        )
        or []
    )
    names = pick_canaries(known, canaries)
    days = pd.date_range(start.floor("D"), end, freq="D", inclusive="left")
    runs: list[dict] = []
    for name in names:
        for day in days:
            path = folder / layout.canary_runs(name, f"{day:%Y-%m-%d}")
            if path.exists() or path.is_symlink():
                runs += read_json(path, reading, lambda saved: _inside(saved, start, end)) or []
    frame = canary_runs_frame(canary_run_rows(runs))
    return reading.mark(frame.sort_values(["canary", "started"], ignore_index=True))


def _inside(saved: dict, start: pd.Timestamp, end: pd.Timestamp) -> list[dict]:
    """Return the saved runs started in ``[start, end)`` (times parsed without pandas: fast)."""
    first, last = start.to_pydatetime(), end.to_pydatetime()
    return [
        run
        for run in saved["CanaryRuns"]
        if first <= dt.datetime.fromisoformat(run["Timeline"]["Started"]) < last
    ]
