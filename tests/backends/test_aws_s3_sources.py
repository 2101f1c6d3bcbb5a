"""The aws backend lists the S3 log archives of the account's buckets, as the local one does.

The oracle is the local backend's listing of the same objects (``s3logs.list_sources``): the
fixture objects of every format (``sources.test_s3logs``) are written both to a data folder and
to a moto bucket under the same keys. The aws listing walks folders instead of reading every
key, so it leaves the count of a dated archive unknown.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import boto3
import pandas as pd
import pytest
from opsbook import logs
from opsbook.backends import layout
from opsbook.backends.aws import s3_sources
from opsbook.backends.local import s3logs
from sources.test_s3logs import (
    BUCKET,
    _write_alb,
    _write_cloudfront,
    _write_nlb,
    _write_s3access,
    _write_trail,
    _write_vpc,
    _write_waf,
)

pytestmark = pytest.mark.moto


def _upload(root: Path, bucket: str = BUCKET) -> None:
    s3 = boto3.client("s3", region_name="us-east-1")
    s3.create_bucket(Bucket=bucket)
    folder = root / layout.S3_BUCKETS / BUCKET

    def put(path: Path) -> None:
        s3.put_object(Bucket=bucket, Key=path.relative_to(folder).as_posix(),
                      Body=path.read_bytes())  # fmt: skip

    # S3 takes one object a call: a few calls at once (a client is thread-safe) wait less.
    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(put, sorted(p for p in folder.rglob("*") if p.is_file())))


@pytest.fixture
def archives(tmp_path: Path, moto_settings) -> Path:  # noqa: ANN001
    for write in (_write_alb, _write_nlb, _write_vpc, _write_cloudfront, _write_s3access,
                  _write_waf, _write_trail):  # fmt: skip
        write(tmp_path)
    _upload(tmp_path)
    return tmp_path


def test_the_archives_listed_are_the_local_ones(archives: Path, moto_settings) -> None:  # noqa: ANN001
    listed = logs.list_s3_sources(settings=moto_settings)
    local = s3logs.list_sources(archives)
    columns = ["source", "format", "first_object", "last_object"]
    pd.testing.assert_frame_equal(
        listed[columns].reset_index(drop=True),
        local[columns].sort_values(["source", "format"]).reset_index(drop=True),
    )
    counted = listed.set_index("format").objects
    assert counted[["cloudfront", "s3access"]].tolist() == [3, 36]  # undated: counted
    assert counted.drop(["cloudfront", "s3access"]).isna().all()  # dated: not listed whole


def test_buckets_without_logs_list_nothing(moto_settings) -> None:  # noqa: ANN001
    s3 = boto3.client("s3", region_name="us-east-1")
    s3.create_bucket(Bucket="assets")
    s3.put_object(Bucket="assets", Key="img/logo.png", Body=b"png")
    listed = logs.list_s3_sources(settings=moto_settings)
    assert listed.empty and listed.columns.tolist() == [
        "source", "format", "objects", "first_object", "last_object",
    ]  # fmt: skip


def test_the_walk_is_bounded(archives: Path, moto_settings, monkeypatch) -> None:  # noqa: ANN001
    monkeypatch.setattr(s3_sources, "MAX_CALLS", 3)
    listed = logs.list_s3_sources(settings=moto_settings)
    assert listed.attrs["notes"] == [f"bucket {BUCKET}: listing stopped after 3 folders"]
