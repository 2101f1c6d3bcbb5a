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

__all__ = ["redact_notebook", "redact_text"]

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
    """Mask every string in the notebook's outputs (text, HTML, JSON such as plotly's), in place."""
    for cell in notebook.cells:
        for output in cell.get("outputs", []):
            for key in ("text", "data", "evalue", "traceback"):
                if key in output:
                    output[key] = _walk(output[key])
    return notebook


def _walk(value: Any) -> Any:
    if isinstance(value, str):
        return redact_text(value)
    if isinstance(value, list):
        return [_walk(v) for v in value]
    if isinstance(value, dict):
        return {k: _walk(v) for k, v in value.items()}
    return value
