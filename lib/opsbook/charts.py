"""Plotly figures from opsbook's DataFrames, in one theme: the only module that decides looks.

Importing it selects renderers that work in JupyterLab and in exported HTML opened offline
(plotly.js is embedded once per notebook, not fetched from a CDN).

Examples
--------
>>> import pandas as pd
>>> frame = pd.DataFrame({"billing_period": ["2026-09", "2026-10"], "unblended_cost": [10.0, 12.5]})
>>> monthly_cost(frame).layout.title.text
'Unblended cost per billing period (USD)'
"""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio
from plotly.io.base_renderers import NotebookRenderer

__all__ = ["THEME", "log_events", "monthly_cost"]

THEME = "opsbook"
_COLORS = ["#1f6feb", "#f0883e", "#2da44e", "#bf3989", "#8250df", "#57606a", "#d4a72c"]

pio.templates[THEME] = go.layout.Template(
    pio.templates["plotly_white"],
    layout={
        "colorway": _COLORS,
        "font": {"family": "system-ui, -apple-system, Segoe UI, sans-serif", "size": 13},
        "title": {"x": 0, "xanchor": "left"},
        "margin": {"l": 60, "r": 20, "t": 60, "b": 50},
        "hovermode": "x unified",
        # Long labels (log groups, services) grow the margin instead of being cut off.
        "xaxis": {"automargin": True},
        "yaxis": {"automargin": True},
    },
)
pio.templates.default = THEME


class _OfflineRenderer(NotebookRenderer):
    """plotly's notebook renderer (plotly.js embedded once per notebook) without MathJax.

    plotly's own renderer adds a MathJax ``<script>`` from a CDN to every chart, which fails on a
    locked-down network; opsbook charts use no LaTeX.
    """

    def to_mimebundle(self, fig_dict: dict) -> dict[str, str]:
        html = pio.to_html(
            fig_dict,
            config=self.config,
            include_plotlyjs=False,
            include_mathjax=False,
            full_html=False,
            default_width="100%",
            default_height=525,
            validate=False,
        )
        return {"text/html": html}


pio.renderers[THEME] = _OfflineRenderer()
# The plotly MIME type serves JupyterLab; the HTML serves exported reports.
pio.renderers.default = f"plotly_mimetype+{THEME}"


def monthly_cost(periods: pd.DataFrame) -> go.Figure:
    """Bar chart of unblended cost per billing period (from :func:`opsbook.athena.describe_cur`)."""
    figure = go.Figure(
        go.Bar(
            x=periods["billing_period"],
            y=periods["unblended_cost"],
            text=[f"${v:,.0f}" for v in periods["unblended_cost"]],
            textposition="outside",
            hovertemplate="%{x}: $%{y:,.2f}<extra></extra>",
        )
    )
    # Billing periods are labels, not dates: a date axis would draw ticks between months.
    figure.update_layout(
        title="Unblended cost per billing period (USD)",
        xaxis_type="category",
        yaxis_tickprefix="$",
    )
    return figure


def log_events(groups: pd.DataFrame) -> go.Figure:
    """Horizontal bars of events per log group (from :func:`opsbook.logs.describe_log_groups`)."""
    ordered = groups.sort_values("events")
    figure = go.Figure(
        go.Bar(
            x=ordered["events"],
            y=ordered["log_group"],
            orientation="h",
            hovertemplate="%{y}: %{x:,} events<extra></extra>",
        )
    )
    figure.update_layout(title="Log events per log group", xaxis_title="events")
    return figure
