"""How opsbook shows results to people: tables by meaning, findings with a status, one report shape.

- :func:`table` formats a frame by what its columns mean (money, percent, count, duration,
  size, dates; from one table of name rules, :data:`RULES`, overridable per call): nothing cut,
  no index, ``—`` for missing values with the reason, wide or long detail folded.
- :func:`findings` shows a report's status and findings; :func:`overview` several reports as a
  table; :class:`Sections` makes several reports one (a brief: the worst status, the findings
  of the sections that need people), which ``record`` keeps like any report.
- :class:`Report` is the shape every analysis returns (``figures()``, ``findings()``,
  ``status()``: ``PASS``, ``FINDING``, ``ERROR`` or ``SKIPPED``); :class:`SectionError` is what
  a section whose source failed shows instead of its table or chart; :func:`annotate` lets an
  analysis say what its frame's columns mean (the columns that matter, kinds, missing values).
- :func:`format_value` writes one value for people, as ``index.html`` and notifications do.

Charts live in :mod:`opsbook.charts` (theme, palette keyed by name) and each analysis' ``charts``.

Examples
--------
>>> import pandas as pd
>>> from opsbook import present
>>> print(present.table(pd.DataFrame({"slo": ["api"], "attainment": [0.99935]})))
slo attainment
api    99.935%
>>> present.format_value(1088.02, "money+")
'+$1,088.02'
"""

from __future__ import annotations

from opsbook.present._findings import Findings, findings, overview
from opsbook.present._kinds import MISSING, RULES, Kind, format_value, kind_of
from opsbook.present._report import (
    ERROR,
    FINDING,
    PASS,
    SKIPPED,
    STATUSES,
    Report,
    SectionError,
    Sections,
    attempt,
    derive,
    read_or_none,
    sections_frame,
    status_of,
    worst,
)
from opsbook.present._table import Table, annotate, table

__all__ = [
    "ERROR",
    "FINDING",
    "MISSING",
    "PASS",
    "RULES",
    "SKIPPED",
    "STATUSES",
    "Findings",
    "Kind",
    "Report",
    "SectionError",
    "Sections",
    "Table",
    "annotate",
    "attempt",
    "derive",
    "findings",
    "format_value",
    "kind_of",
    "overview",
    "read_or_none",
    "sections_frame",
    "status_of",
    "table",
    "worst",
]
