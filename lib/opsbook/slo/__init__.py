"""Service level objectives: OpenSLO specs, error budgets and multiwindow burn-rate alerts.

:mod:`~opsbook.slo.spec` reads the specs, :mod:`~opsbook.slo.maths` holds the arithmetic on plain
pandas, :mod:`~opsbook.slo.evaluate` fetches the SLIs through :mod:`opsbook.metrics` and
:mod:`opsbook.logs`, :mod:`~opsbook.slo.alerts` writes CloudWatch alarms as CloudFormation and
:mod:`~opsbook.slo.appsignals` reads Application Signals budget reports. :func:`review_slos`
evaluates a spec file at a moment and returns an :class:`SloReport` (a
:class:`~opsbook.present.Report`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from opsbook._lazy import lazy_attributes

if TYPE_CHECKING:
    from opsbook.slo.evaluate import SloReport, review_slos

__all__ = ["SloReport", "review_slos"]


# Imported when first used: ``opsbook.slo.maths`` alone must not pull in the SLI readers.
__getattr__ = lazy_attributes(__name__, {"evaluate": __all__})
