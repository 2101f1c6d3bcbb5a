"""Plotly figures in one theme and one palette: what every opsbook chart shares.

- :data:`THEME` is the plotly template every chart uses.
- :func:`colours` gives each name (a service, an account, an SLO, a log group) its colour from
  :data:`PALETTE`, the same in every chart and every report: the name's hash picks the colour,
  and names that would share one within a chart move to the next free colour (in name order,
  so the same names always get the same colours). Red and grey are kept for meaning (a
  threshold, an anomaly, "other", the expected level), never for a name.
- :func:`value_axis` titles a value axis with its unit, :func:`span` words a chart's window.
- Importing this module makes figures display as plotly JSON only
  (``application/vnd.plotly.v1+json``): JupyterLab draws them, saved notebooks stay small, and
  the published HTML adds plotly.js once per page (:mod:`opsbook.runner._export`). In a kernel
  the figure is shown by :func:`show`, not by plotly's renderer registry, whose import (it loads
  nbformat and jsonschema) would cost every kernel about 1.5 s.

Rules every chart follows: a unit on every value axis (``"cost (USD)"``), a linear value axis
unless the axis says "log scale", no second y axis hiding a series (two panels instead), and a
title that says what is drawn and over which window.

Examples
--------
>>> import pandas as pd
>>> frame = pd.DataFrame({"billing_period": ["2026-09", "2026-10"], "unblended_cost": [10.0, 12.5]})
>>> figure = monthly_cost(frame)
>>> figure.layout.title.text, figure.layout.yaxis.title.text
('Unblended cost per billing period, 2026-09 to 2026-10', 'cost (USD)')
>>> colours(["checkout-api", "catalog-api"]) == colours(["catalog-api", "checkout-api"])
True
"""

from __future__ import annotations

import os
import sys
import zlib
from collections.abc import Iterable
from typing import Any

import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio

__all__ = [
    "EXPECTED",
    "OTHER",
    "PALETTE",
    "THEME",
    "WARNING",
    "colour",
    "colours",
    "log_events",
    "monthly_cost",
    "no_data",
    "show",
    "span",
    "value_axis",
    "why_empty",
]

THEME = "opsbook"
#: Colours for names (services, accounts, SLOs, log groups): distinct, none red or grey.
PALETTE = (
    "#4e79a7",  # blue
    "#f28e2b",  # orange
    "#59a14f",  # green
    "#b07aa1",  # purple
    "#76b7b2",  # teal
    "#edc948",  # yellow
    "#9c755f",  # brown
    "#ff9da7",  # pink
    "#283d6b",  # navy
)
WARNING = "#cf222e"  # thresholds, anomalies, failures
EXPECTED = "#57606a"  # expected levels, baselines
OTHER = "#afb8c1"  # "other": everything past the top few

pio.templates[THEME] = go.layout.Template(
    layout={
        "colorway": list(PALETTE),
        "font": {"family": "system-ui, -apple-system, Segoe UI, sans-serif", "size": 13,
                 "color": "#1f2328"},
        "title": {"x": 0, "xanchor": "left", "font": {"size": 16}},
        "paper_bgcolor": "white",
        "plot_bgcolor": "white",
        "margin": {"l": 60, "r": 20, "t": 60, "b": 50},
        "hovermode": "x unified",
        "legend": {"title": {"text": ""}},
        # Long labels (log groups, services) grow the margin instead of being cut off.
        "xaxis": {"automargin": True, "gridcolor": "#eaeef2", "linecolor": "#8c959f",
                  "zerolinecolor": "#d0d7de"},
        "yaxis": {"automargin": True, "gridcolor": "#eaeef2", "linecolor": "#8c959f",
                  "zerolinecolor": "#d0d7de"},
    },
)  # fmt: skip
pio.templates.default = THEME
#: The one renderer: plotly JSON only. JupyterLab draws it, and the runner's export adds
#: plotly.js once per published page, so no notebook carries plotly.js itself.
RENDERER = "plotly_mimetype"


def show(figure: go.Figure) -> None:
    """Display ``figure`` as plotly JSON in the running kernel (what a cell's last figure does).

    The same output as plotly's ``plotly_mimetype`` renderer, without importing plotly's
    renderer registry (and with it nbformat and jsonschema).
    """
    from IPython.display import display
    from plotly.io.base_renderers import PlotlyRenderer

    display(PlotlyRenderer().to_mimebundle(figure.to_dict()), raw=True)


def _use_one_renderer() -> None:
    """Show figures with :func:`show` in IPython; make ``RENDERER`` plotly's default renderer.

    Plotly's registry reads ``PLOTLY_RENDERER`` when it is first imported (by ``fig.show()``), so
    it is not imported here; if something imported it already, its default is set directly.
    """
    os.environ["PLOTLY_RENDERER"] = RENDERER
    if "plotly.io._renderers" in sys.modules:
        pio.renderers.default = RENDERER
    shell = _ipython()
    if shell is not None:
        formatter = shell.display_formatter.ipython_display_formatter
        formatter.for_type_by_name("plotly.basedatatypes", "BaseFigure", show)


def _ipython() -> Any:
    """Return the running IPython shell, or None (IPython is never imported here)."""
    module = sys.modules.get("IPython")
    return module.get_ipython() if module is not None else None


_use_one_renderer()


def colour(name: object) -> str:
    """Return the colour ``name`` has when nothing else in its chart takes it first.

    Examples
    --------
    >>> colour("checkout-api") == colour("checkout-api") and colour("checkout-api") in PALETTE
    True
    """
    return PALETTE[zlib.crc32(str(name).encode()) % len(PALETTE)]


def colours(names: Iterable[object]) -> dict[str, str]:
    """Return a colour per name: its own (:func:`colour`), or the next free one if taken.

    Names are placed in sorted order, so a set of names always gets the same colours; ``other``
    is grey. Past nine names colours repeat.

    Examples
    --------
    >>> found = colours(["a", "b", "c", "other"])
    >>> len(set(found.values())) == 4 and found["other"] == OTHER
    True
    """
    out: dict[str, str] = {}
    taken: set[str] = set()
    for name in sorted({str(n) for n in names}):
        if name == "other":
            out[name] = OTHER
            continue
        start = PALETTE.index(colour(name))
        free = [PALETTE[(start + i) % len(PALETTE)] for i in range(len(PALETTE))]
        chosen = next((c for c in free if c not in taken), free[0])
        taken.add(chosen)
        out[name] = chosen
        if len(taken) == len(PALETTE):
            taken.clear()
    return out


def value_axis(what: str, unit: str, **extra: object) -> dict[str, object]:
    """Return a value axis titled ``"what (unit)"``, with money ticks when the unit is a currency.

    Examples
    --------
    >>> value_axis("cost", "USD")["title"], value_axis("burn rate", "× budget")["title"]
    ({'text': 'cost (USD)'}, {'text': 'burn rate (× budget)'})
    """
    axis: dict[str, object] = {"title": {"text": f"{what} ({unit})"}, "rangemode": "tozero"}
    if unit == "USD":
        axis.update(tickprefix="$", tickformat=",.0f")
    elif unit == "%":
        axis.update(tickformat=".0%")
    axis.update(extra)
    return axis


def span(values: Iterable[object], unit: str = "D") -> str:
    """Return the window ``values`` cover, for a title: ``"2026-11-05 to 2026-12-04"``.

    ``unit`` ``"M"`` writes months, ``"min"`` minutes (UTC).

    Examples
    --------
    >>> span(["2026-10", "2026-09"], "M"), span(pd.to_datetime(["2026-11-05", "2026-12-04"]))
    ('2026-09 to 2026-10', '2026-11-05 to 2026-12-04')
    """
    if unit == "M":
        text = sorted(str(v)[:7] for v in values if str(v) not in ("", "nan", "NaT"))
        if not text:
            return "no data"
        return text[0] if text[0] == text[-1] else f"{text[0]} to {text[-1]}"
    stamps = pd.to_datetime(pd.Series(list(values)), utc=True, errors="coerce").dropna()
    if stamps.empty:
        return "no data"
    form = "%Y-%m-%d %H:%M UTC" if unit == "min" else "%Y-%m-%d"
    first, last = stamps.min().strftime(form), stamps.max().strftime(form)
    return first if first == last else f"{first} to {last}"


def why_empty(frame: pd.DataFrame, default: str = "No data for this selection") -> str:
    """Return why ``frame`` is empty as its analysis noted it (``attrs["empty"]``), else ``default``.

    Examples
    --------
    >>> frame = pd.DataFrame()
    >>> frame.attrs["empty"] = "no CUR line items in billing period 2026-07"
    >>> why_empty(frame), why_empty(pd.DataFrame())
    ('no CUR line items in billing period 2026-07', 'No data for this selection')
    """
    why = frame.attrs.get("empty")
    return why if isinstance(why, str) and why else default


def no_data(title: str, why: str = "No data for this selection") -> go.Figure:
    """Return an empty figure that says why there is nothing to draw, instead of failing.

    Examples
    --------
    >>> no_data("Cost by service").layout.annotations[0].text
    'No data for this selection'
    """
    figure = go.Figure()
    error = why.startswith("ERROR")
    figure.add_annotation(text=why, showarrow=False, xref="paper", yref="paper", x=0.5, y=0.5,
                          font={"size": 15, "color": WARNING if error else EXPECTED})  # fmt: skip
    figure.update_layout(template=THEME, title=title, xaxis={"visible": False},
                         yaxis={"visible": False}, height=260)  # fmt: skip
    return figure


def monthly_cost(periods: pd.DataFrame) -> go.Figure:
    """Bar chart of unblended cost per billing period (from :func:`opsbook.athena.describe_cur`)."""
    figure = go.Figure(
        go.Bar(
            x=periods["billing_period"],
            y=periods["unblended_cost"],
            text=[f"${v:,.0f}" for v in periods["unblended_cost"]],
            textposition="outside",
            marker_color=PALETTE[0],
            hovertemplate="%{x}: $%{y:,.2f}<extra></extra>",
            cliponaxis=False,
        )
    )
    # Billing periods are labels, not dates: a date axis would draw ticks between months.
    figure.update_layout(
        title=f"Unblended cost per billing period, {span(periods['billing_period'], 'M')}",
        xaxis={"type": "category", "title": {"text": "billing period"}},
        yaxis=value_axis("cost", "USD"),
    )
    return figure


def log_events(groups: pd.DataFrame) -> go.Figure:
    """Horizontal bars of events per log group (from :func:`opsbook.logs.describe_log_groups`)."""
    ordered = groups.sort_values("events")
    keyed = colours(ordered["log_group"])
    figure = go.Figure(
        go.Bar(
            x=ordered["events"],
            y=ordered["log_group"],
            orientation="h",
            marker_color=[keyed[str(g)] for g in ordered["log_group"]],
            hovertemplate="%{y}: %{x:,} events<extra></extra>",
        )
    )
    window = ""
    if {"first_event", "last_event"} <= set(groups.columns):
        window = ", " + span([*groups["first_event"], *groups["last_event"]])
    figure.update_layout(
        title=f"Log events per log group{window}",
        xaxis=value_axis("events", "count", tickformat=","),
        yaxis={"title": {"text": ""}},
        height=max(260, 60 * len(groups) + 140),
    )
    return figure
