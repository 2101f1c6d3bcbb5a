"""Record named results in a notebook's outputs, for tests and report summaries to read back.

A recorded value is displayed with its own MIME type, so it survives papermill execution in the
output notebook without depending on how anything renders, and shows as a short line in JupyterLab.

Examples
--------
>>> record(cur_months=4, log_groups=["/ecs/checkout-api"])  # doctest: +SKIP
>>> import nbformat
>>> read_records(nbformat.v4.new_notebook())
{}
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # nbformat (and jsonschema) take ~0.7 s to import: not on a runbook's first cell
    import nbformat

__all__ = ["MIME_TYPE", "read_records", "record", "record_costs"]

MIME_TYPE = "application/vnd.opsbook.record+json"


def record(**values: Any) -> None:
    """Display each value under its name in the current notebook's outputs (as JSON)."""
    from IPython.display import display

    for name, value in values.items():
        payload = {"name": name, "value": json.loads(json.dumps(value, default=str))}
        display({MIME_TYPE: payload, "text/plain": f"{name} = {payload['value']!r}"}, raw=True)


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


def read_records(notebook: nbformat.NotebookNode) -> dict[str, Any]:
    """Return the values recorded in an executed notebook, by name (the last one wins)."""
    found: dict[str, Any] = {}
    for cell in notebook.cells:
        for output in cell.get("outputs", []):
            payload = output.get("data", {}).get(MIME_TYPE)
            if payload:
                found[payload["name"]] = payload["value"]
    return found
