from __future__ import annotations

import pandas as pd
import plotly.io as pio
from opsbook import charts


def test_monthly_cost_draws_one_bar_per_period() -> None:
    frame = pd.DataFrame(
        {"billing_period": ["2026-09", "2026-10"], "unblended_cost": [10.0, 1234.5]}
    )
    figure = charts.monthly_cost(frame)
    assert list(figure.data[0].x) == ["2026-09", "2026-10"]
    assert list(figure.data[0].text) == ["$10", "$1,234"]


def test_log_events_sorts_groups_by_volume() -> None:
    frame = pd.DataFrame({"log_group": ["/a", "/b"], "events": [5, 2]})
    assert list(charts.log_events(frame).data[0].y) == ["/b", "/a"]


def test_theme_and_offline_renderer_are_selected() -> None:
    assert pio.templates.default == charts.THEME
    # plotly.js is embedded once per notebook and nothing is fetched from a CDN.
    assert pio.renderers.default == "plotly_mimetype+opsbook"
    bundle = pio.renderers["opsbook"].to_mimebundle(
        charts.monthly_cost(
            pd.DataFrame({"billing_period": ["2026-10"], "unblended_cost": [1.0]})
        ).to_dict()
    )
    assert "Plotly.newPlot" in bundle["text/html"]
    assert "cdn" not in bundle["text/html"].lower() and "<script src" not in bundle["text/html"]
