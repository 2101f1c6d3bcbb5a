"""A report's status and findings as people read them, and several reports at a glance.

:func:`findings` shows one :class:`~opsbook.present._report.Report`: its status as a badge, then
each finding as a line of its own, whole (the finding *is* the message: it is never cut).
:func:`overview` lists several sections (a morning brief's cost, SLOs, alarms, ...) with their
status and findings, worst first.

Examples
--------
>>> class Quiet:
...     def figures(self): return {}
...     def findings(self): return ["no cost anomaly in the last day"]
...     def status(self): return "PASS"
>>> print(findings(Quiet()))
PASS
- no cost anomaly in the last day
>>> overview({"cost": Quiet()}).text.iloc[0].tolist()
['PASS', 'cost', 'no cost anomaly in the last day']
"""

from __future__ import annotations

import html
from collections.abc import Mapping

import pandas as pd

from opsbook.present._report import STATUSES, Report
from opsbook.present._table import Table, table

__all__ = ["Findings", "findings", "overview"]

_BADGE = """<style>
.opsbook-findings { margin: .4rem 0 1rem; }
.opsbook-findings ul { margin: .3rem 0 0; padding-left: 1.2rem; }
.opsbook-findings li { margin: .15rem 0; overflow-wrap: anywhere; }
.opsbook-status { display: inline-block; padding: .05rem .5rem; border-radius: 1rem;
  font-size: 12px; font-weight: 600; color: #fff; background: #57606a; }
.opsbook-status.PASS { background: #1a7f37; } .opsbook-status.FINDING { background: #9a6700; }
.opsbook-status.ERROR { background: #cf222e; } .opsbook-status.SKIPPED { background: #57606a; }
</style>"""


class Findings:
    """A status and its findings: ``_repr_html_`` for notebooks and reports, ``str`` for text."""

    def __init__(self, status: str, lines: list[str]) -> None:
        self.status = status
        self.lines = [str(line) for line in lines]

    def __repr__(self) -> str:
        return "\n".join([self.status, *(f"- {line}" for line in self.lines)])

    def _repr_html_(self) -> str:
        items = "".join(f"<li>{html.escape(line)}</li>" for line in self.lines)
        badge = f'<span class="opsbook-status {html.escape(self.status)}">{html.escape(self.status)}</span>'
        return f'{_BADGE}<div class="opsbook-findings">{badge}<ul>{items}</ul></div>'


def findings(report: Report) -> Findings:
    """Return ``report``'s status and findings, each finding a whole line.

    Examples
    --------
    >>> findings(type("R", (), {"findings": lambda self: ["x"], "status": lambda self: "FINDING",
    ...                        "figures": lambda self: {}})()).lines
    ['x']
    """
    return Findings(report.status(), report.findings())


def overview(sections: Mapping[str, Report]) -> Table:
    """Return one row per section: its status and its findings, sections needing people first.

    Examples
    --------
    >>> overview({}).text.columns.tolist()
    ['status', 'section', 'findings']
    """
    rows = [
        {"status": report.status(), "section": name, "findings": "\n".join(report.findings())}
        for name, report in sections.items()
    ]
    frame = pd.DataFrame(rows, columns=["status", "section", "findings"])
    rank = {status: i for i, status in enumerate(STATUSES)}
    frame = frame.sort_values("status", key=lambda s: s.map(rank), kind="stable")
    shown = table(frame.reset_index(drop=True), kinds={"findings": "text"})
    assert isinstance(shown, Table)
    return shown
