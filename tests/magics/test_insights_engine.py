"""``%%insights --engine athena`` runs the query as ``logs.query(engine="athena")`` does."""

from __future__ import annotations

from typing import Any

import pandas as pd
import pytest
from IPython.core.interactiveshell import InteractiveShell
from support.ipython import run as _run

ARCHIVE = "s3://shop-logs/AWSLogs/123456789012/elasticloadbalancing/"
CELL = (
    f"%%insights -g {ARCHIVE} --start 2026-11-14T13:00Z --end 2026-11-14T14:00Z{{}}\nstats count(*)"
)


def test_the_engine_reaches_the_query(
    ip: InteractiveShell, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[dict[str, Any]] = []

    def query(*args: object, **kwargs: Any) -> pd.DataFrame:
        calls.append(kwargs)
        return pd.DataFrame({"count(*)": [1.0]})

    monkeypatch.setattr("opsbook.magics.commands.logs.query", query)
    assert _run(ip, CELL.format(" --engine athena")) is None
    assert _run(ip, CELL.format("")) is None
    assert [c["engine"] for c in calls] == ["athena", None]


def test_the_local_backend_names_where_athena_runs(ip: InteractiveShell) -> None:
    error = _run(ip, CELL.format(" --engine athena"))
    assert "runs on the aws backend only" in str(error)


def test_an_unknown_engine_is_refused_naming_the_choices(ip: InteractiveShell) -> None:
    error = _run(ip, CELL.format(" --engine presto"))
    assert "athena" in str(error)
