"""The rules every opsbook chart follows, checked on a figure's JSON (as the published page holds it).

- every value axis (y, or x for horizontal bars) has a title ending in its unit: ``cost (USD)``;
- a logarithmic axis says so in its title (``minutes, log scale``);
- no second y axis is laid over the first (a series hidden behind another's bars);
- the chart has a title.
"""

from __future__ import annotations

import re
from typing import Any

UNIT = re.compile(r"\(.+\)\s*$")


def _text(title: Any) -> str:
    if isinstance(title, dict):
        return str(title.get("text") or "")
    return str(title or "")


def chart_problems(figure: dict[str, Any]) -> list[str]:
    """Return what a figure (``{"data": [...], "layout": {...}}``) does against the rules."""
    layout = figure.get("layout") or {}
    name = _text(layout.get("title")) or "(untitled chart)"
    problems = [] if _text(layout.get("title")) else ["a chart has no title"]
    axes = []
    for trace in figure.get("data") or []:
        horizontal = trace.get("orientation") == "h"
        ref = trace.get("xaxis" if horizontal else "yaxis") or ("x" if horizontal else "y")
        axes.append(f"{ref[0]}axis{ref[1:]}")
    for key in dict.fromkeys(axes):
        axis = layout.get(key) or {}
        if axis.get("visible") is False:
            continue
        title = _text(axis.get("title"))
        if not UNIT.search(title):
            problems.append(f"{name}: {key} has no unit ({title!r})")
        if axis.get("type") == "log" and "log scale" not in title:
            problems.append(f"{name}: {key} is logarithmic without saying so ({title!r})")
    problems += [
        f"{name}: {key} is drawn over {axis['overlaying']}"
        for key, axis in layout.items()
        if key.startswith("yaxis") and isinstance(axis, dict) and axis.get("overlaying")
    ]
    return problems
