"""CloudWatch Synthetics canaries: did the customer-facing path fail, and since when.

Canary runs (GetCanaryRuns: state, failure reason, timing) on either backend; a canary's
``CloudWatchSynthetics`` metrics (``SuccessPercent``, ``Duration`` per ``CanaryName`` and
``StepName``) are read with :mod:`opsbook.metrics` like any other metric.

Examples
--------
>>> runs = read_canary_runs("2026-11-14T14:00Z", "2026-11-14T15:00Z")  # doctest: +SKIP
>>> runs.loc[runs.state == "FAILED", ["canary", "started", "state_reason"]]  # doctest: +SKIP
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from opsbook import clock
from opsbook._docs import shared_params
from opsbook.backends import backend
from opsbook.settings import Settings, resolve

__all__ = ["FAILED", "PASSED", "read_canary_runs"]

PASSED, FAILED = "PASSED", "FAILED"


@shared_params
def read_canary_runs(
    start: clock.Moment,
    end: clock.Moment,
    *,
    canaries: Sequence[str] | None = None,
    settings: Settings | None = None,
) -> pd.DataFrame:
    """Return the canary runs started in ``[start, end)``, by canary then start time.

    Parameters
    ----------
    canaries
        Canary names; None: every canary of the account.

    Returns
    -------
    pandas.DataFrame
        ``canary``, ``run_id``, ``state`` (``PASSED``, ``FAILED``, ``RUNNING``),
        ``state_reason``, ``state_reason_code``, ``started``, ``completed``, ``duration_ms``,
        ``artifact`` (the run's screenshots and logs in S3).

    Raises
    ------
    opsbook.errors.ConfigurationError
        For a canary the account does not have.
    """
    start_at, end_at = clock.window(start, end)
    settings = settings or resolve()
    chosen = None if canaries is None else [str(c) for c in canaries]
    return backend(settings).canaries.read_canary_runs(settings, start_at, end_at, chosen)
