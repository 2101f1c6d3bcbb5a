"""Record named results in a notebook's outputs, for tests and report summaries to read back.

A recorded value is displayed with its own MIME type, so it survives papermill execution in the
output notebook without depending on how anything renders, and shows as a short line in
JupyterLab. Each value carries its kind (money, percent, count, duration, text, ...: see
:mod:`opsbook.present`), inferred from its name unless given, so ``index.html`` and the
notification text write it for people. The published HTML never shows these outputs: the runner
keeps them in the notebook's metadata and ``summary.json``.

``record(report)`` records a :class:`~opsbook.present.Report`: its figures (with the kinds the
report names), its ``findings`` and its ``status``.

Examples
--------
>>> record(cur_months=4, log_groups=["/ecs/checkout-api"])  # doctest: +SKIP
>>> record(monthly, kinds={"month_total": "money"})  # doctest: +SKIP
>>> import nbformat
>>> read_records(nbformat.v4.new_notebook())
{}
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

# The kinds (and with them pandas) are imported when a value is recorded: not by `import opsbook`.
if TYPE_CHECKING:  # nbformat (and jsonschema) take ~0.7 s to import: not on a runbook's first cell
    import nbformat

    from opsbook.present import Report

__all__ = ["MIME_TYPE", "payloads", "read_kinds", "read_records", "record", "record_costs"]

MIME_TYPE = "application/vnd.opsbook.record+json"


def record(
    report: Report | None = None, /, *, kinds: Mapping[str, str] | None = None, **values: Any
) -> None:
    """Display each value under its name, with its kind, in the current notebook's outputs.

    Parameters
    ----------
    report
        A :class:`~opsbook.present.Report` whose ``figures()``, ``findings`` and ``status`` are
        recorded (before ``values``).
    kinds
        Name -> kind spec (``"money"``, ``"percent"``, ``"duration:min"``, ...) for values whose
        name does not say what they are.
    **values
        JSON-ready values by name.
    """
    from IPython.display import display

    for payload in payloads(report, kinds=kinds, **values):
        text = f"{payload['name']} = {payload['value']!r}"
        display({MIME_TYPE: payload, "text/plain": text}, raw=True)


def payloads(
    report: Report | None = None, /, *, kinds: Mapping[str, str] | None = None, **values: Any
) -> list[dict[str, Any]]:
    """Return what :func:`record` displays: ``{"name", "value", "kind"}`` per value.

    Examples
    --------
    >>> payloads(month_total=90892.31, log_groups=4, kinds={"month_total": "money"})
    [{'name': 'month_total', 'value': 90892.31, 'kind': 'money'}, {'name': 'log_groups', 'value': 4, 'kind': 'count'}]
    """
    from opsbook.present._kinds import Kind, kind_of

    given = dict(kinds or {})
    if report is not None:
        values = {**report.figures(), "findings": report.findings(),
                  "status": report.status(), **values}  # fmt: skip
        given = {**getattr(report, "kinds", {}), **given}
    out = []
    for name, value in values.items():
        plain = json.loads(json.dumps(value, default=str))
        kind = Kind.parse(given[name]) if name in given else kind_of(name, plain)
        out.append({"name": name, "value": plain, "kind": kind.spec})
    return out


def record_costs() -> None:
    """Record what this kernel's queries cost, and the input files its reads skipped.

    ``query_costs`` comes from :mod:`opsbook.queries.ledger`; ``inputs_skipped`` (only when a
    read skipped a file, under the ``skip_unreadable`` setting) from :mod:`opsbook.queries.skips`.

    The report runner appends a hidden last cell calling this to every notebook it runs.
    """
    from opsbook.queries import ledger, skips

    record(query_costs=ledger.totals())
    if skips.skipped():
        record(inputs_skipped=skips.skipped())


def _recorded(notebook: nbformat.NotebookNode) -> dict[str, dict[str, Any]]:
    found: dict[str, dict[str, Any]] = {}
    for cell in notebook.cells:
        for output in cell.get("outputs", []):
            payload = output.get("data", {}).get(MIME_TYPE)
            if payload:
                found[payload["name"]] = payload
    return found


def read_records(notebook: nbformat.NotebookNode) -> dict[str, Any]:
    """Return the values recorded in an executed notebook, by name (the last one wins)."""
    return {name: payload["value"] for name, payload in _recorded(notebook).items()}


def read_kinds(notebook: nbformat.NotebookNode) -> dict[str, str]:
    """Return the kind of each value recorded in an executed notebook (``text`` when unknown)."""
    from opsbook.present._kinds import kind_of

    return {
        name: payload.get("kind") or kind_of(name, payload["value"]).spec
        for name, payload in _recorded(notebook).items()
    }
