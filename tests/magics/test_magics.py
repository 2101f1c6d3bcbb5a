"""The IPython magics run in-process on the sample org (as of 2026-11-15), like in a notebook."""

from __future__ import annotations

import pandas as pd
import pytest
from IPython.core.interactiveshell import InteractiveShell
from opsbook import magics
from opsbook.errors import ConfigurationError
from opsbook.magics.display import MagicFailure
from support.ipython import run as _run

PLOTLY = "application/vnd.plotly.v1+json"


def test_athena_cell_binds_params_stores_frame_and_reports_cost(
    ip: InteractiveShell, capsys: pytest.CaptureFixture[str]
) -> None:
    error = _run(
        ip,
        "%%athena --param month=2026-10 -o by_service\n"
        "SELECT line_item_product_code AS service, sum(line_item_unblended_cost) AS unblended_cost\n"
        "FROM cur WHERE billing_period = :month GROUP BY 1 ORDER BY 2 DESC",
    )
    assert error is None
    frame = ip.user_ns["by_service"]
    assert isinstance(frame, pd.DataFrame) and len(frame) > 3
    assert frame.unblended_cost.is_monotonic_decreasing
    out = capsys.readouterr().out
    assert f"{len(frame):,} rows" in out and "scanned" in out and "on duckdb" in out
    assert "query cost $" in out and "stored in by_service" in out
    html = ip.user_ns["shown"][-1]._repr_html_()
    assert f"${frame.unblended_cost.iloc[0]:,.2f}" in html


def test_athena_error_shows_message_without_traceback(
    ip: InteractiveShell, capsys: pytest.CaptureFixture[str]
) -> None:
    error = _run(ip, "%%athena\nSELECT count(*) AS n FROM cur")
    assert isinstance(error, MagicFailure)
    assert isinstance(error.error, ConfigurationError)
    shown = capsys.readouterr()
    text = shown.out + shown.err
    assert "ConfigurationError: query 'ad-hoc' has no billing_period condition" in text
    assert "Traceback" not in text and "File " not in text
    assert _run(ip, "%%athena --allow-full-scan\nSELECT count(*) AS n FROM cur") is None


def test_insights_cell_with_window_and_statistics(
    ip: InteractiveShell, capsys: pytest.CaptureFixture[str]
) -> None:
    error = _run(
        ip,
        "%%insights --log-group /ecs/checkout-api --start 2026-11-14T13:00Z "
        "--end 2026-11-14T16:00Z -o levels\nstats count(*) as n by level | sort n desc",
    )
    assert error is None
    levels = ip.user_ns["levels"]
    assert set(levels.level) >= {"INFO", "ERROR"}
    out = capsys.readouterr().out
    assert "10,728 records scanned" not in out  # the 3-hour window, not the whole day
    total = f"{int(levels.n.sum()):,}"  # no filter: every record scanned matched
    assert f"3 rows · {total} records matched · {total} records scanned · " in out
    assert " kB scanned" in out


def test_insights_malformed_query_keeps_the_caret(
    ip: InteractiveShell, capsys: pytest.CaptureFixture[str]
) -> None:
    error = _run(ip, "%%insights --log-group /ecs/checkout-api --since 1h\nfields a |")
    assert isinstance(error, MagicFailure)
    text = "".join(capsys.readouterr())
    assert "MalformedQueryError: malformed query at line 1, column 11" in text
    assert "  fields a |\n            ^" in text
    assert "Traceback" not in text


def test_insights_requires_a_log_group_and_one_kind_of_window(ip: InteractiveShell) -> None:
    assert "name a log group" in str(_run(ip, "%%insights --since 1h\nfields @message"))
    both = _run(ip, "%%insights -g /ecs/checkout-api --since 1h --start 2026-11-14\nfields a")
    assert "either --since or --start/--end" in str(both)


def test_metric_line_draws_a_chart(
    ip: InteractiveShell, capsys: pytest.CaptureFixture[str]
) -> None:
    error = _run(
        ip,
        "%metric AWS/ApplicationELB TargetResponseTime "
        "LoadBalancer=app/checkout-alb/50dc6c495c0c9188 --stat p99 "
        "--start 2026-11-14T13:00Z --end 2026-11-14T16:00Z -o p99",
    )
    assert error is None
    points = ip.user_ns["p99"]
    assert len(points) == 180
    figure = ip.user_ns["shown"][-1]
    assert len(figure.data) == 1 and len(figure.data[0].y) == 180
    assert "TargetResponseTime (p99, 60 s)" in figure.layout.title.text
    assert "180 datapoints" in capsys.readouterr().out


def test_metric_bad_statistic_is_an_opsbook_message(ip: InteractiveShell) -> None:
    error = _run(ip, "%metric AWS/Lambda Errors FunctionName=orders-worker --stat p1000")
    assert isinstance(error, MagicFailure) and "p1000" in str(error)


def test_opsbook_settings_and_backend_switch(
    ip: InteractiveShell, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _run(ip, "%opsbook settings") is None
    table = ip.user_ns["shown"][-1].frame.set_index("setting")
    assert table.loc["backend", "source"] == "env OPSBOOK_BACKEND"
    assert table.loc["data_dir", "source"] == "env OPSBOOK_DATA_DIR"
    assert _run(ip, "%opsbook backend aws") is None
    assert magics.session_settings().backend == "aws"
    assert _run(ip, "%opsbook settings") is None
    shown = ip.user_ns["shown"][-1].frame.set_index("setting")
    assert shown.loc["backend"].tolist() == ["aws", "argument"]
    assert "allowed values: local, aws" in str(_run(ip, "%opsbook backend azure"))
    ip.user_ns["mine"] = magics.session_settings().replace(backend="local")
    assert _run(ip, "%opsbook use mine") is None
    assert magics.session_settings().backend == "local"
    assert "not understood" in str(_run(ip, "%opsbook frobnicate"))


def test_interrupt_propagates(ip: InteractiveShell, monkeypatch: pytest.MonkeyPatch) -> None:
    def interrupted(*args: object, **kwargs: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr("opsbook.logs.query", interrupted)
    error = _run(ip, "%%insights -g /ecs/checkout-api --since 1h\nfields @message")
    assert isinstance(error, KeyboardInterrupt)


def test_windows_and_params_are_read_as_the_command_line_reads_them(ip: InteractiveShell) -> None:
    soon = _run(ip, "%%insights -g /ecs/checkout-api --since soon\nfields @message")
    assert "--since 'soon' is not a duration: use e.g. '15m'" in str(soon)
    reversed_ = _run(
        ip,
        "%%insights -g /ecs/checkout-api --start 2026-11-14T14:00Z --end 2026-11-14T13:00Z\nfields a",
    )
    assert "--end 2026-11-14 13:00 UTC is not after --start 2026-11-14 14:00 UTC" in str(reversed_)
    bad = _run(ip, "%%athena --param 2026-09\nSELECT 1")
    assert "--param '2026-09' is not name=value: write e.g. --param month=2026-09" in str(bad)
    # the notebooks' rules by name: a reversed period names both ends, as `opsbook run -p` does
    periods = _run(ip, "%%athena --param start_period=2026-10 --param end_period=2026-09\nSELECT 1")
    assert "parameter end_period '2026-09' is before start_period '2026-10'" in str(periods)
