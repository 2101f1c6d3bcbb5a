"""Owner hints of untagged resources: who created them, from CloudTrail's create events."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest
from opsbook import cost
from opsbook.cost._owner_hints import NOT_IN_WINDOW, ids_in, names_of, owner_hints
from opsbook.sample.cur.untagged import by_key
from opsbook.settings import resolve

MONTH, END = "2026-11", "2026-11-15"  # the untagged resources were created on 2026-11-05


@pytest.fixture(scope="module")
def untagged(sample_dir: Path) -> pd.DataFrame:
    settings = resolve(backend="local", data_dir=str(sample_dir))
    review = cost.review_tag_governance(MONTH, trail_end=END, settings=settings)
    return review.untagged.set_index("resource_id")


def test_the_creator_of_each_planted_resource_is_named(untagged) -> None:
    instance = untagged.loc[by_key("untagged-instance").resource_id, "created_by"]
    assert instance == (
        "role AWSReservedSSO_Developer_9a4c2e6f8b0d1357/li.wei@northpeak.example "
        "(RunInstances, 2026-11-05)"
    ), "the instance id is in RunInstances' response"
    bucket = untagged.loc[by_key("untagged-bucket").resource_id, "created_by"]
    assert "(CreateBucket, 2026-11-05)" in bucket and bucket.startswith("role ")


def test_a_resource_older_than_the_trail_says_so_and_no_hint_is_blank(untagged) -> None:
    volume = untagged.loc[by_key("untagged-volume").resource_id, "created_by"]
    assert volume == f"{NOT_IN_WINDOW} (2026-08-17 to 2026-11-15)"
    assert untagged["created_by"].notna().all() and (untagged["created_by"] != "").all()
    assert (untagged["created_by"].str.startswith(NOT_IN_WINDOW)).sum() == len(untagged) - 2


def test_without_a_trail_the_hint_says_why(sample_dir: Path, tmp_path: Path) -> None:
    shutil.copytree(sample_dir / "cur", tmp_path / "cur")  # no cloudtrail/
    review = cost.review_tag_governance(
        MONTH, trail_end=END, settings=resolve(backend="local", data_dir=str(tmp_path))
    )
    assert review.untagged["created_by"].str.startswith("CloudTrail not read: ").all()
    assert review.figures()["untagged_with_creator"] == 0


def test_ids_are_read_from_requests_and_responses() -> None:
    assert ids_in('{"bucketName": "b", "Host": "b.s3.amazonaws.com"}') == {"b"}
    assert ids_in("not json") == set() and ids_in(None) == set()
    assert "loyalty-points" in names_of("arn:aws:dynamodb:us-east-1:1:table/loyalty-points")
    assert "/aws/ecs/job" in names_of("arn:aws:logs:us-east-1:1:log-group:/aws/ecs/job")


def test_owner_hints_match_the_account_too(sample_dir: Path) -> None:
    instance = by_key("untagged-instance").resource_id
    frame = pd.DataFrame({"resource_id": [instance, instance],
                          "account_id": [by_key("untagged-instance").account_id, "999999999999"]})  # fmt: skip
    hints = owner_hints(frame, END, settings=resolve(backend="local", data_dir=str(sample_dir)))
    assert "RunInstances" in hints.iloc[0] and hints.iloc[1].startswith(NOT_IN_WINDOW)
