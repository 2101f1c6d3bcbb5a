"""Cost by IAM principal (``line_item_iam_principal``), and a clear error on an export without it."""

from __future__ import annotations

import shutil
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from opsbook.cost.spend import spend_by
from opsbook.errors import ConfigurationError
from opsbook.settings import resolve


def test_cost_by_principal_sums_to_the_month(sample_dir: Path) -> None:
    settings = resolve(backend="local", data_dir=str(sample_dir))
    by_principal = spend_by("principal", "2026-10", basis="unblended", settings=settings)
    total = spend_by("account", "2026-10", basis="unblended", settings=settings)["cost"].sum()
    assert by_principal["cost"].sum() == pytest.approx(total)
    principals = set(by_principal["principal"])
    assert "arn:aws:iam::556677889900:role/SageMakerTrainingRole" in principals
    assert "(no principal)" in principals


def test_an_export_without_iam_principal_data_says_which_setting_adds_it(
    sample_dir: Path, tmp_path: Path
) -> None:
    shutil.copytree(sample_dir / "cur", tmp_path / "cur")
    for path in (tmp_path / "cur").rglob("*.parquet"):
        table = pq.read_table(path)
        pq.write_table(table.drop_columns(["line_item_iam_principal"]), path)
    settings = resolve(backend="local", data_dir=str(tmp_path))
    with pytest.raises(ConfigurationError, match="INCLUDE_IAM_PRINCIPAL_DATA"):
        spend_by("principal", "2026-10", settings=settings)
    assert len(spend_by("account", "2026-10", settings=settings)) > 0
