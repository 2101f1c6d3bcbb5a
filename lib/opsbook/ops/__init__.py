"""Operations health: DORA-style delivery metrics and CloudWatch hygiene, from data opsbook reads.

:func:`review_delivery` (:mod:`opsbook.ops.delivery`) turns CloudTrail deployments and alarm
history into deployment frequency, change failure rate and time to restore;
:func:`review_hygiene` (:mod:`opsbook.ops.hygiene`) lists log groups that never expire, silent
alarms and CloudWatch's own spend; :func:`review_brief` (:mod:`opsbook.ops.brief`) is the
morning brief, one day across cost, SLOs, alarms, deployments and errors. Both return a :class:`~opsbook.present.Report`;
:mod:`opsbook.ops.charts` draws them.

Examples
--------
>>> from opsbook import ops
>>> report = ops.review_delivery("2026-11-01", "2026-11-15")  # doctest: +SKIP
>>> report.status(), report.findings()[0]  # doctest: +SKIP
"""

from __future__ import annotations

from opsbook.ops.brief import Brief, Section, review_brief
from opsbook.ops.delivery import DeliveryReport, review_delivery
from opsbook.ops.hygiene import HygieneReport, review_hygiene

__all__ = [
    "Brief",
    "DeliveryReport",
    "HygieneReport",
    "Section",
    "review_brief",
    "review_delivery",
    "review_hygiene",
]
