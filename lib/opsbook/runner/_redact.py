"""Mask account ids, ARNs and IP addresses in executed notebooks, for reports shared outside.

The account in an ARN and every bare 12-digit account id keep their last four digits (readers
can still tell accounts apart); an ARN's resource part and IPv4 addresses are masked entirely.

Examples
--------
>>> redact_text("arn:aws:ecs:us-east-1:334455667788:service/shop-prod/checkout-api from 10.1.2.3")
'arn:aws:ecs:us-east-1:********7788:*** from ***.***.***.***'
"""

from __future__ import annotations

import re
from typing import Any

import nbformat

__all__ = ["redact_notebook", "redact_text", "redact_value"]

_ARN = re.compile(r"\barn:(aws[\w-]*):([\w-]*):([\w-]*):(\d{12})?:[^\s\"'<>,;)\]}]+")
_ACCOUNT = re.compile(r"(?<![\d.\w])(\d{8})(\d{4})(?![\d.\w])")
_IPV4 = re.compile(r"(?<![\d.])(?:\d{1,3}\.){3}\d{1,3}(?![\d.])")


def redact_text(text: str) -> str:
    """Return ``text`` with ARNs, account ids and IPv4 addresses masked."""

    def arn(match: re.Match[str]) -> str:
        partition, service, region, account = match.groups()
        masked = f"********{account[-4:]}" if account else ""
        return f"arn:{partition}:{service}:{region}:{masked}:***"

    text = _ARN.sub(arn, text)
    text = _ACCOUNT.sub(lambda m: f"********{m.group(2)}", text)
    return _IPV4.sub("***.***.***.***", text)


def redact_notebook(notebook: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """Mask every string of the notebook: sources, outputs and metadata, the notebook's too.

    Each cell's source (the injected parameters cell among them), outputs (text, HTML, JSON such
    as plotly's) and metadata, and the notebook's metadata (papermill keeps the parameters and
    paths there). Images are left as they are.

    Examples
    --------
    >>> from nbformat.v4 import new_code_cell, new_notebook
    >>> nb = new_notebook(cells=[new_code_cell('account = "123456789012"')],
    ...                   metadata={"papermill": {"parameters": {"account": "123456789012"}}})
    >>> nb = redact_notebook(nb)
    >>> nb.cells[0].source, nb.metadata.papermill.parameters.account
    ('account = "********9012"', '********9012')
    """
    for cell in notebook.cells:
        for key in ("source", "metadata", "outputs"):
            if key in cell:
                cell[key] = redact_value(cell[key])
    notebook.metadata = redact_value(notebook.metadata)
    return nbformat.from_dict(notebook)


def redact_value(value: Any) -> Any:
    """Return ``value`` with every string in it masked (lists and dicts walked; keys kept).

    Examples
    --------
    >>> redact_value({"ids": ["123456789012", 7], "note": None})
    {'ids': ['********9012', 7], 'note': None}
    """
    if isinstance(value, str):
        return redact_text(value)
    if isinstance(value, list | tuple):
        return [redact_value(v) for v in value]
    if isinstance(value, dict):
        return {
            k: v if k.startswith("image/") and k != "image/svg+xml" else redact_value(v)
            for k, v in value.items()
        }
    return value
