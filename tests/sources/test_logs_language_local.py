"""SOURCE and lookup through logs.query on the local backend, over the sample organisation.

Expected values come from the sample's log files read with pandas, not from the engine.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from opsbook import logs
from opsbook.backends import layout
from opsbook.backends.local.logfiles import read_events
from opsbook.insights import MalformedQueryError
from opsbook.settings import resolve

START, END = "2026-11-08T00:00:00Z", "2026-11-15T00:00:00Z"


@pytest.fixture(scope="module")
def inside(sample_dir: Path) -> pd.DataFrame:
    events = read_events(sample_dir).to_pandas()
    return events[
        (events.timestamp >= pd.Timestamp(START)) & (events.timestamp < pd.Timestamp(END))
    ]


def test_source_picks_among_every_group_the_backend_sees(
    sample_dir: Path, inside: pd.DataFrame
) -> None:
    groups = sorted(inside.log_group.unique())
    prefix = groups[0][: groups[0].index("/", 1) + 1]  # e.g. "/ecs/"
    settings = resolve(data_dir=str(sample_dir))
    # The caller names one group; SOURCE in the query still chooses among all of them.
    frame = logs.query(
        f"SOURCE logGroups(namePrefix: ['{prefix}']) | stats count(*) as n by @log",
        [groups[-1]], START, END, settings=settings,
    )  # fmt: skip
    expected = inside[inside.log_group.str.startswith(prefix)].groupby("log_group").size()
    assert len(expected) >= 1 and groups[-1] not in expected.index
    assert frame.attrs["statistics"]["recordsScanned"] == len(inside)  # every group was read
    assert dict(zip(frame["@log"], frame["n"], strict=True)) == expected.to_dict()


def test_lookup_reads_the_data_folders_lookup_tables(
    sample_dir: Path, inside: pd.DataFrame, tmp_path: Path
) -> None:
    groups = sorted(inside.log_group.unique())
    folder = tmp_path / layout.LOOKUP_TABLES
    folder.mkdir()
    teams = pd.DataFrame({"group": groups, "team": [f"team-{i % 2}" for i in range(len(groups))]})
    teams.to_csv(folder / "owners.csv", index=False)
    settings = resolve(data_dir=str(tmp_path))
    frame = logs.query(
        "lookup owners group as @log OUTPUT team | stats count(*) as n by team",
        [], START, END, settings=settings, sources=[sample_dir / layout.LOGS],
    )  # fmt: skip
    expected = inside.merge(teams, left_on="log_group", right_on="group").groupby("team").size()
    assert dict(zip(frame["team"], frame["n"], strict=True)) == expected.to_dict()
    assert len(expected) == min(len(groups), 2)
    with pytest.raises(MalformedQueryError, match="missing.csv"):
        logs.query("lookup missing a OUTPUT b", [], START, END, settings=settings,
                   sources=[sample_dir / layout.LOGS])  # fmt: skip
