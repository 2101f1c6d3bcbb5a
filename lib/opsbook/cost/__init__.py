"""Cost analyses over the CUR: spend, movers, anomalies, commitments, allocation, storage, forecast, unit cost.

Every function returns a plain DataFrame (or a small report of DataFrames) computed from shipped
``cur/*.sql`` queries run through :func:`opsbook.athena.query`, so every number can be reproduced
by running the named query; :mod:`opsbook.cost.charts` turns them into figures.

Examples
--------
>>> from opsbook import cost
>>> sorted(cost.spend.BASES)
['amortized', 'net_amortized', 'public', 'unblended']
"""

from __future__ import annotations

from opsbook.cost import (
    allocation,
    anomalies,
    charts,
    commitments,
    forecast,
    movers,
    spend,
    storage,
    unit_cost,
)

__all__ = [
    "allocation",
    "anomalies",
    "charts",
    "commitments",
    "forecast",
    "movers",
    "spend",
    "storage",
    "unit_cost",
]
