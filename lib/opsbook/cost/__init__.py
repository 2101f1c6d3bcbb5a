"""Cost analyses over the CUR: spend, movers, anomalies (and AWS's, compared), commitments, allocation, container cost, storage, forecast, unit cost, savings opportunities, tag governance, budgets.

Every function returns a plain DataFrame computed from shipped ``cur/*.sql`` queries run through
:func:`opsbook.athena.query`, so every number can be reproduced by running the named query;
:mod:`opsbook.cost.charts` turns them into figures. Each notebook's analysis has one entry point,
``review_*``, returning a :class:`~opsbook.present.Report` (``figures()``, ``findings()``,
``status()``) that also holds the frames the notebook shows.

Examples
--------
>>> from opsbook import cost
>>> sorted(cost.spend.BASES)
['amortized', 'net_amortized', 'public', 'unblended']
>>> [name for name in cost.__all__ if name.startswith("review_")]  # doctest: +NORMALIZE_WHITESPACE
['review_allocation', 'review_anomalies', 'review_budgets', 'review_commitments',
 'review_containers', 'review_month', 'review_opportunities', 'review_storage',
 'review_tag_governance', 'review_unit_cost']
"""

from __future__ import annotations

from opsbook.cost import (
    allocation,
    anomalies,
    aws_anomalies,
    budgets,
    charts,
    commitments,
    containers,
    forecast,
    movers,
    opportunities,
    spend,
    storage,
    tag_governance,
    unit_cost,
)
from opsbook.cost.allocation import review_allocation
from opsbook.cost.anomalies import review_anomalies
from opsbook.cost.aws_anomalies import compare_with_aws
from opsbook.cost.budgets import review_budgets
from opsbook.cost.commitments import review_commitments
from opsbook.cost.containers import review_containers
from opsbook.cost.opportunities import review_opportunities
from opsbook.cost.review import review_month
from opsbook.cost.storage import review_storage
from opsbook.cost.tag_governance import review_tag_governance
from opsbook.cost.unit_cost import review_unit_cost

__all__ = [
    "allocation",
    "anomalies",
    "aws_anomalies",
    "budgets",
    "charts",
    "commitments",
    "compare_with_aws",
    "containers",
    "forecast",
    "movers",
    "opportunities",
    "review_allocation",
    "review_anomalies",
    "review_budgets",
    "review_commitments",
    "review_containers",
    "review_month",
    "review_opportunities",
    "review_storage",
    "review_tag_governance",
    "review_unit_cost",
    "spend",
    "storage",
    "tag_governance",
    "unit_cost",
]
